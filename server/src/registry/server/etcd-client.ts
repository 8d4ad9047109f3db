import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdStoreConfig } from './registry-config.js';
import { RegistryError } from './registry-error.js';
import { etcdFaultHandling } from './etcd-fault-handling.js';

/**
 * The etcd3 client for `config`: its endpoints, TLS, user, and a deadline on every unary request,
 * tried on the other members within that deadline when one is down (etcd-fault-handling.ts).
 */
export function etcdClient(config: EtcdStoreConfig): Etcd3 {
  const read = (file: string | null): Buffer | undefined => (file === null ? undefined : readFileSync(file));
  const ca = read(config.tlsCaFile);
  const options: IOptions = {
    hosts: [...config.endpoints],
    dialTimeout: config.requestTimeoutMs,
    ...etcdFaultHandling(config.requestTimeoutMs),
    ...(ca === undefined
      ? {}
      : {
          credentials: {
            rootCertificate: ca,
            ...(config.keyFile === null ? {} : { privateKey: readFileSync(config.keyFile) }),
            ...(config.certFile === null ? {} : { certChain: readFileSync(config.certFile) }),
          },
        }),
    ...(config.user === null || config.passwordFile === null
      ? {}
      : { auth: { username: config.user, password: readFileSync(config.passwordFile, 'utf8').trim() } }),
  };
  return new Etcd3(options);
}

/**
 * What an etcd failure becomes for callers: STORE_UNAVAILABLE (gRPC UNAVAILABLE) naming the endpoints
 * and what was being done. A RegistryError passes through unchanged.
 */
export function storeUnavailable(config: EtcdStoreConfig, doing: string, err: unknown): Error {
  if (err instanceof RegistryError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new RegistryError(
    'STORE_UNAVAILABLE',
    `the registry's etcd store (${config.endpoints.join(',')}) did not answer while ${doing}: ${why}; ` +
      'a majority of etcd members must be up (see the runbook "etcd quorum lost")',
    { endpoints: config.endpoints.join(','), doing },
  );
}
