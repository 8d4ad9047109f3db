import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/src/runtime/config-error.js';
import { loadRegistryConfig } from '../../server/src/registry/server/load-registry-config.js';
import type { RegistryConfig } from '../../server/src/registry/server/registry-config.js';
import { loadSidecarConfig } from '../../server/src/sidecar/load-sidecar-config.js';

const BASE = ['--signing-key', 'k.pem', '--tokens', 'tokens'];

function config(argv: string[], env: Record<string, string> = {}): RegistryConfig {
  const loaded = loadRegistryConfig([...BASE, ...argv], env, '/srv');
  if (loaded.kind !== 'config') throw new Error('help');
  return loaded.config;
}

function failure(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    config(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('registry store settings (--store, --etcd-*, TPLUS_*)', () => {
  it('SQLite by default; --store etcd with endpoints, prefix, TLS, user and timeout from flags or TPLUS_* variables', () => {
    expect(config([]).etcd).toBeUndefined();
    expect(
      config(['--store', 'etcd', '--etcd-endpoints', 'http://10.0.0.1:2379, https://etcd-2:2379', '--etcd-tls-ca', 'ca.pem']).etcd,
    ).toEqual({
      endpoints: ['http://10.0.0.1:2379', 'https://etcd-2:2379'],
      prefix: '/tplus/registry/',
      tlsCaFile: '/srv/ca.pem',
      certFile: null,
      keyFile: null,
      user: null,
      passwordFile: null,
      requestTimeoutMs: 5000,
    });
    const fromEnv = config([], {
      TPLUS_STORE: 'etcd',
      TPLUS_ETCD_ENDPOINTS: 'http://127.0.0.1:2379',
      TPLUS_ETCD_PREFIX: '/firm/tplus',
      TPLUS_ETCD_USER: 'tplus',
      TPLUS_ETCD_PASSWORD_FILE: 'etcd.password',
      TPLUS_ETCD_CERT: 'c.pem',
      TPLUS_ETCD_KEY: 'k.pem',
      TPLUS_ETCD_TIMEOUT_MS: '2500',
    }).etcd;
    expect(fromEnv).toMatchObject({
      prefix: '/firm/tplus/',
      user: 'tplus',
      passwordFile: '/srv/etcd.password',
      certFile: '/srv/c.pem',
      keyFile: '/srv/k.pem',
      requestTimeoutMs: 2500,
    });
  });

  it('refuses a bad store, endpoint or pairing, naming the field and the value', () => {
    expect(failure(['--store', 'zookeeper']).message).toMatch(/store.*zookeeper|zookeeper.*store/s);
    expect(failure(['--store', 'etcd']).message).toMatch(/--store etcd needs --etcd-endpoints/);
    expect(failure(['--store', 'etcd', '--etcd-endpoints', '10.0.0.1:2379']).message).toMatch(/etcdEndpoints.*"10\.0\.0\.1:2379"/s);
    expect(failure(['--store', 'etcd', '--etcd-endpoints', 'ftp://h:1']).message).toMatch(/"ftp:\/\/h:1" must be http\(s\):\/\/HOST:PORT/);
    expect(failure(['--etcd-endpoints', 'http://h:2379']).message).toMatch(/--etcd-endpoints needs --store etcd/);
    expect(failure(['--store', 'etcd', '--etcd-endpoints', 'http://h:2379', '--etcd-user', 'u']).message).toMatch(
      /--etcd-user and --etcd-password-file go together/,
    );
    expect(failure(['--store', 'etcd', '--etcd-endpoints', 'http://h:2379', '--etcd-cert', 'c']).message).toMatch(
      /--etcd-cert and --etcd-key go together/,
    );
    expect(failure(['--store', 'etcd', '--etcd-endpoints', 'http://h:2379', '--etcd-timeout-ms', 'soon']).message).toMatch(/etcdTimeoutMs/);
  });

  it('a relay keeps SQLite; --upstream and --registry take several comma-separated replicas, each checked', () => {
    const relay = ['--upstream', '10.0.0.1:50061,10.0.0.2:50061', '--upstream-public-key', 'p.pem'];
    const loaded = loadRegistryConfig(relay, {}, '/srv');
    expect(loaded.kind === 'config' && loaded.config.upstream?.address).toBe('10.0.0.1:50061,10.0.0.2:50061');
    expect(() => loadRegistryConfig([...relay, '--store', 'etcd', '--etcd-endpoints', 'http://h:2379'], {}, '/srv')).toThrow(
      /a relay \(--upstream\) keeps its copy in SQLite/,
    );
    const sidecar = loadSidecarConfig(
      ['--registry', 'a:1, b:2,unix:/run/r.sock', '--registry-public-key', 'p.pem'],
      {},
      {
        cwd: '/srv',
        rulesDir: '/r',
      },
    );
    expect(sidecar.kind === 'config' && sidecar.config.follow?.registry).toBe('a:1,b:2,unix:/run/r.sock');
    expect(() => loadSidecarConfig(['--registry', 'a:1,b', '--registry-public-key', 'p.pem'], {}, { cwd: '/srv', rulesDir: '/r' })).toThrow(
      /registry/,
    );
  });
});
