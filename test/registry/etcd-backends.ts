/** A real three-member etcd cluster for one describe block, and the backends its tests open on it. */
import { afterAll, beforeAll } from 'vitest';
import { EtcdBackend } from '../../server/src/registry/server/etcd-backend.js';
import type { EtcdStoreConfig } from '../../server/src/registry/server/registry-config.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-cluster.js';

export interface EtcdBackends {
  /** The cluster (started before the block's tests). */
  cluster(): EtcdCluster;
  /** A store config on the cluster: no TLS, no user; `prefix` keeps one test's keys apart. */
  config(prefix: string, requestTimeoutMs: number): EtcdStoreConfig;
  /** Opens a backend, closed after the block (before the cluster stops). */
  open(config: EtcdStoreConfig, inlineMax?: number): Promise<EtcdBackend>;
}

/** Call inside a describe block: starts the cluster before its tests, closes what they opened and stops it after. */
export function etcdBackends(): EtcdBackends {
  let started: EtcdCluster | undefined;
  const opened: EtcdBackend[] = [];
  beforeAll(async () => {
    started = await startEtcdCluster(3);
  }, 60_000);
  afterAll(async () => {
    for (const b of opened) await b.close();
    await started?.stop();
  });
  const cluster = (): EtcdCluster => {
    if (started === undefined) throw new Error('the etcd cluster is not started (call etcdBackends() inside a describe block)');
    return started;
  };
  return {
    cluster,
    config: (prefix, requestTimeoutMs) => ({
      endpoints: cluster().endpoints.split(','),
      prefix,
      tlsCaFile: null,
      certFile: null,
      keyFile: null,
      user: null,
      passwordFile: null,
      requestTimeoutMs,
    }),
    open: async (config, inlineMax) => {
      const b = await EtcdBackend.open(config, undefined, inlineMax);
      opened.push(b);
      return b;
    },
  };
}
