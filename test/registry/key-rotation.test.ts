import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeys } from '../../server/src/registry/signing-keys.js';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import {
  followerArgs,
  packWithEmergencyHoliday,
  publishArgs,
  registryArgs,
  registryFixture,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

const TRADE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };
const at = (version: number) => (l: LogLine) => l['version'] === version;

/**
 * Rotating the registry's signing key without restarting the fleet: followers trust the old and the
 * new public key (--registry-public-key twice) and pick the one named by each version's key id.
 */
describe('signing key rotation (real processes: registry restarted with a new key, two followers)', () => {
  let fx: RegistryFixture;
  let keysB: { readonly privateKeyFile: string; readonly publicKeyFile: string };
  const procs: TplusProcess[] = [];
  const clients: TestClient[] = [];
  let both: TplusProcess;
  let onlyA: TplusProcess;
  let registry: TplusProcess;
  const socket = (): string => `unix:${join(fx.dir, 'registry.sock')}`;
  const start = (args: string[]): TplusProcess => {
    const p = spawnTplus(args);
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    keysB = generateSigningKeys(join(fx.dir, 'keys-b'));
    registry = start(registryArgs(fx, socket(), ['--metrics-listen', 'off', '--heartbeat-ms', '200']));
    await registry.waitFor('registry_serving');
    expect((await runTplus(publishArgs(fx, socket(), RULES_DIR, 'signed with key A'))).code).toBe(0);
    both = start(
      followerArgs(fx, socket(), join(fx.dir, 'both'), ['--metrics-listen', 'off', '--registry-public-key', keysB.publicKeyFile]),
    );
    onlyA = start(followerArgs(fx, socket(), join(fx.dir, 'only-a'), ['--metrics-listen', 'off']));
    await Promise.all([both.waitFor('serving'), onlyA.waitFor('serving')]);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    fx?.remove();
  });

  it('after the registry rotates to key B, a follower trusting A and B installs the new version; one trusting only A refuses it, naming the key', async () => {
    await registry.stop('SIGTERM');
    registry = start([
      ...['registry', '--data-dir', join(fx.dir, 'data'), '--listen', socket(), '--signing-key', keysB.privateKeyFile],
      ...['--tokens', fx.tokensFile, '--trusted-public-key', fx.keys.publicKeyFile, '--metrics-listen', 'off', '--heartbeat-ms', '200'],
    ]);
    await registry.waitFor('registry_serving');
    expect(registry.logs.filter((l) => l['event'] === 'registry_version_corrupt')).toEqual([]); // version 1 (key A) still verifies
    const published = await runTplus(publishArgs(fx, socket(), packWithEmergencyHoliday(join(fx.dir, 'pack-b')), 'signed with key B'));
    expect(published.code, published.output).toBe(0);
    await both.waitFor('snapshot_installed', at(2), 30_000);
    const rejected = await onlyA.waitFor('snapshot_rejected', at(2), 30_000);
    expect(rejected['reason']).toBe('bad_signature');
    expect(String(rejected['message'])).toMatch(
      /^version 2 is signed with key [0-9a-f]{16}, which is not trusted here \(trusted: [0-9a-f]{16}\)/,
    );
    const ask = async (p: TplusProcess, dir: string) => {
      const c = new TestClient(`unix://${join(fx.dir, dir, 's.sock')}`);
      clients.push(c);
      void p;
      return c.call<{ settlementDate: string; rulesetVersion: number }>('GetSettlementDate', TRADE);
    };
    expect([(await ask(both, 'both')).rulesetVersion, (await ask(onlyA, 'only-a')).rulesetVersion].map(Number)).toEqual([2, 1]);
  }, 90_000);

  it('a follower restarted with both keys re-verifies versions of both keys from its store', async () => {
    await both.stop('SIGTERM');
    const again = start(
      followerArgs(fx, socket(), join(fx.dir, 'both'), ['--metrics-listen', 'off', '--registry-public-key', keysB.publicKeyFile]),
    );
    const active = await again.waitFor('ruleset_active');
    expect(active['version']).toBe(2);
    expect(again.logs.filter((l) => l['event'] === 'local_version_corrupt')).toEqual([]);
  }, 60_000);
});

/**
 * Staleness rests on signed information only: a relay whose root is gone keeps sending heartbeats to
 * its sidecars, but it cannot sign them, so its sidecars see their staleness grow.
 */
describe('staleness from signed information (real processes: root → relay → sidecar)', () => {
  let fx: RegistryFixture;
  const procs: TplusProcess[] = [];
  const start = (args: string[]): TplusProcess => {
    const p = spawnTplus(args);
    procs.push(p);
    return p;
  };

  beforeAll(() => {
    buildServer();
    fx = registryFixture();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    fx?.remove();
  });

  it('the root killed, the relay still sends heartbeats: the sidecar stays connected but its staleness grows', async () => {
    const root = start(registryArgs(fx, `unix:${join(fx.dir, 'root.sock')}`, ['--metrics-listen', 'off', '--heartbeat-ms', '200']));
    await root.waitFor('registry_serving');
    expect((await runTplus(publishArgs(fx, `unix:${join(fx.dir, 'root.sock')}`, RULES_DIR, 'initial'))).code).toBe(0);
    const relay = start([
      ...['registry', '--upstream', `unix:${join(fx.dir, 'root.sock')}`, '--upstream-public-key', fx.keys.publicKeyFile],
      ...['--upstream-token-file', fx.readTokenFile, '--tokens', fx.tokensFile, '--data-dir', join(fx.dir, 'relay')],
      ...['--listen', `unix:${join(fx.dir, 'relay.sock')}`, '--metrics-listen', 'off', '--heartbeat-ms', '200'],
    ]);
    await relay.waitFor('version_replicated', at(1));
    const sidecar = start(
      followerArgs(fx, `unix:${join(fx.dir, 'relay.sock')}`, join(fx.dir, 'sidecar'), ['--metrics-listen', '127.0.0.1:0']),
    );
    const url = String((await sidecar.waitFor('metrics_listening'))['url']);
    const staleness = async (): Promise<number> => {
      const text = await (await fetch(url)).text();
      const m = /^tplus_ruleset_staleness_seconds (\S+)$/m.exec(text);
      if (!m) throw new Error('no tplus_ruleset_staleness_seconds');
      return Number(m[1]);
    };
    await sidecar.waitFor('serving');
    await new Promise((r) => setTimeout(r, 1_000)); // a few signed heartbeats, passed on by the relay
    expect(await staleness()).toBeLessThan(1);
    root.child.kill('SIGKILL');
    await relay.waitFor('registry_watch_failed');
    await new Promise((r) => setTimeout(r, 3_000)); // ~15 relay heartbeats
    expect(await staleness()).toBeGreaterThanOrEqual(2.5);
    expect(sidecar.logs.filter((l) => l['event'] === 'registry_watch_failed')).toEqual([]); // the relay is still there
  }, 90_000);
});
