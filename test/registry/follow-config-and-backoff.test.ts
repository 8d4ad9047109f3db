import { describe, expect, it } from 'vitest';
import { Backoff } from '../../server/src/sync/backoff.js';
import { loadSidecarConfig } from '../../server/src/sidecar/load-sidecar-config.js';
import { loadRegistryConfig } from '../../server/src/registry/server/load-registry-config.js';
import { ConfigError } from '../../server/src/runtime/config-error.js';

const DEFAULTS = { cwd: '/srv', rulesDir: '/srv/rules' };

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return `${e.field}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('reconnect backoff', () => {
  it('grows exponentially with jitter, bounded to 100 ms .. 5 s, and resets after a success', () => {
    const low = new Backoff(100, 5_000, () => 0);
    const high = new Backoff(100, 5_000, () => 1);
    expect(Array.from({ length: 9 }, () => low.next())).toEqual([50, 100, 200, 400, 800, 1600, 2500, 2500, 2500]);
    expect(Array.from({ length: 9 }, () => high.next())).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    high.reset();
    expect(high.next()).toBe(100);
  });
});

describe('follow and registry configuration', () => {
  it('serve --registry needs --registry-public-key; flags and TPLUS_* env are both read', () => {
    expect(configError(() => loadSidecarConfig(['--registry', '127.0.0.1:50061'], {}, DEFAULTS))).toMatch(
      /^registryPublicKey: --registry needs --registry-public-key/,
    );
    const loaded = loadSidecarConfig([], { TPLUS_REGISTRY: 'unix:/run/reg.sock', TPLUS_REGISTRY_PUBLIC_KEY: 'keys/signing.pub' }, DEFAULTS);
    expect(loaded.kind === 'config' && loaded.config.follow).toEqual({
      registry: 'unix:/run/reg.sock',
      publicKeyFiles: ['/srv/keys/signing.pub'],
      tokenFile: null,
      startTimeoutMs: 30_000,
      backoffMinMs: 100,
      backoffMaxMs: 5_000,
    });
    // Several trusted keys (a signing key rotation): the flag repeated, or a comma-separated variable.
    const two = loadSidecarConfig(
      ['--registry', 'unix:/r.sock', '--registry-public-key', 'a.pub', '--registry-public-key', '/k/b.pub'],
      {},
      DEFAULTS,
    );
    expect(two.kind === 'config' && two.config.follow?.publicKeyFiles).toEqual(['/srv/a.pub', '/k/b.pub']);
    const env = loadSidecarConfig([], { TPLUS_REGISTRY: 'unix:/r.sock', TPLUS_REGISTRY_PUBLIC_KEY: 'a.pub,b.pub' }, DEFAULTS);
    expect(env.kind === 'config' && env.config.follow?.publicKeyFiles).toEqual(['/srv/a.pub', '/srv/b.pub']);
    const plain = loadSidecarConfig([], {}, DEFAULTS);
    expect(plain.kind === 'config' && 'follow' in plain.config).toBe(false);
  });

  it('registry: --signing-key and --tokens are required; env fills in; listen takes HOST:PORT or unix:/path', () => {
    expect(configError(() => loadRegistryConfig(['--tokens', 't'], {}, '/srv'))).toMatch(
      /^signingKey: missing --signing-key \(or TPLUS_SIGNING_KEY\)/,
    );
    const loaded = loadRegistryConfig(
      ['--signing-key', 'k', '--listen', 'unix:/run/reg.sock'],
      { TPLUS_TOKENS: '/etc/tplus/tokens', TPLUS_HEARTBEAT_MS: '1000' },
      '/srv',
    );
    expect(loaded).toMatchObject({
      kind: 'config',
      config: {
        listen: 'unix:/run/reg.sock',
        signingKeyFile: '/srv/k',
        tokensFile: '/etc/tplus/tokens',
        heartbeatMs: 1000,
        dataDir: '/srv/registry-data',
      },
    });
    expect(configError(() => loadRegistryConfig(['--signing-key', 'k', '--tokens', 't', '--listen', 'nope'], {}, '/srv'))).toMatch(
      /^listen: invalid listen/,
    );
  });

  it('relay: --upstream needs --upstream-public-key, refuses --signing-key, and needs no tokens file', () => {
    const loaded = loadRegistryConfig(
      ['--upstream', 'unix:/run/root.sock', '--upstream-public-key', 'keys/root.pub'],
      { TPLUS_UPSTREAM_TOKEN_FILE: 'read.token' },
      '/srv',
    );
    expect(loaded).toMatchObject({
      kind: 'config',
      config: {
        signingKeyFile: null,
        tokensFile: null,
        upstream: { address: 'unix:/run/root.sock', publicKeyFile: '/srv/keys/root.pub', tokenFile: '/srv/read.token' },
      },
    });
    expect(configError(() => loadRegistryConfig(['--upstream', '127.0.0.1:50061'], {}, '/srv'))).toMatch(
      /^upstreamPublicKey: --upstream needs --upstream-public-key/,
    );
    expect(
      configError(() =>
        loadRegistryConfig(['--upstream', '127.0.0.1:50061', '--upstream-public-key', 'p', '--signing-key', 'k'], {}, '/srv'),
      ),
    ).toMatch(/^signingKey: a relay \(--upstream\) never signs/);
    const root = loadRegistryConfig(['--signing-key', 'k', '--tokens', 't'], {}, '/srv');
    expect(root.kind === 'config' && 'upstream' in root.config).toBe(false);
  });
});
