import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeys } from '../../server/src/registry/signing-keys.js';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { packWithEmergencyHoliday, registryFixture, type RegistryFixture } from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

const TRADE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };
const BEFORE = '2030-03-13';
const AFTER = '2030-03-14';

interface Node {
  readonly dir: string;
  readonly socket: string;
  proc: TplusProcess;
  client: TestClient;
}

describe('fleet: one registry and three sidecars as real processes', () => {
  let fx: RegistryFixture;
  let rogueKey: string;
  let holidayPack: string;
  let socket: string;
  let registry: TplusProcess | null = null;
  const nodes: Node[] = [];
  const registryArgs = (key: string): string[] => [
    'registry',
    '--data-dir',
    join(fx.dir, 'data'),
    '--listen',
    `unix:${socket}`,
    '--signing-key',
    key,
    '--tokens',
    fx.tokensFile,
    '--metrics-listen',
    'off',
    '--heartbeat-ms',
    '200',
  ];
  const startRegistry = async (key: string): Promise<TplusProcess> => {
    const p = (registry = spawnTplus(registryArgs(key)));
    await p.waitFor('registry_serving');
    return p;
  };
  const sidecarArgs = (dir: string): string[] => [
    'serve',
    '--registry',
    `unix:${socket}`,
    '--registry-public-key',
    fx.keys.publicKeyFile,
    '--registry-token-file',
    fx.readTokenFile,
    '--data-dir',
    dir,
    '--socket',
    join(dir, 's.sock'),
    '--listen',
    'off',
    '--metrics-listen',
    '127.0.0.1:0',
  ];
  const publish = async (rules: string, reason: string): Promise<string> => {
    const r = await runTplus([
      'publish',
      '--registry',
      `unix:${socket}`,
      '--token-file',
      fx.publishTokenFile,
      '--rules',
      rules,
      '--reason',
      reason,
    ]);
    expect(r.code, r.output).toBe(0);
    return r.output;
  };
  const answers = async (): Promise<string[]> =>
    Promise.all(nodes.map(async (n) => (await n.client.call<{ settlementDate: string }>('GetSettlementDate', TRADE)).settlementDate));
  const activeAt = (version: number) => (l: LogLine) => l['version'] === version;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    rogueKey = generateSigningKeys(join(fx.dir, 'rogue')).privateKeyFile;
    holidayPack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
    socket = join(fx.dir, 'registry.sock');
    await startRegistry(fx.keys.privateKeyFile);
    await publish(RULES_DIR, 'initial: the bundled pack');
    for (let i = 0; i < 3; i++) {
      const dir = join(fx.dir, `sidecar-${i}`);
      const proc = spawnTplus(sidecarArgs(dir));
      nodes.push({ dir, socket: join(dir, 's.sock'), proc, client: new TestClient(`unix://${join(dir, 's.sock')}`) });
    }
    await Promise.all(nodes.map((n) => n.proc.waitFor('serving')));
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) n.client.close();
    await Promise.all([...nodes.map((n) => n.proc.stop('SIGKILL')), registry?.stop('SIGKILL')]);
    fx.remove();
  });

  it('an emergency holiday published once reaches every sidecar; publish-to-last-swap time is reported', async () => {
    expect(await answers()).toEqual([BEFORE, BEFORE, BEFORE]);
    await publish(holidayPack, 'emergency closure 2030-03-13');
    const published = await (registry as TplusProcess).waitFor('version_published', activeAt(2));
    const swaps = await Promise.all(nodes.map((n) => n.proc.waitFor('ruleset_active', activeAt(2))));
    const ms = Math.max(...swaps.map((s) => Date.parse(String(s['time'])))) - Date.parse(String(published['time']));
    console.log(`publish-to-last-swap (3 sidecars): ${ms} ms`);
    expect(ms).toBeLessThan(1_000);
    // Each sidecar had answered XNYS trades: the new version got those calendars' tables before it went live.
    for (const s of swaps) expect(s['calendarsWarmed']).toBeGreaterThanOrEqual(2);
    expect(await answers()).toEqual([AFTER, AFTER, AFTER]);
  });

  it('kill -9 of the registry: sidecars keep answering; a sidecar restarted meanwhile serves the last good version', async () => {
    const reg = registry as TplusProcess;
    reg.child.kill('SIGKILL');
    await reg.exited;
    await Promise.all(nodes.map((n) => n.proc.waitFor('registry_watch_failed')));
    expect(await answers()).toEqual([AFTER, AFTER, AFTER]);
    const n0 = nodes[0] as Node;
    await n0.proc.stop('SIGTERM');
    n0.proc = spawnTplus(sidecarArgs(n0.dir));
    const serving = await n0.proc.waitFor('serving');
    expect(serving['rulesetVersion']).toBe(2);
    expect(await answers()).toEqual([AFTER, AFTER, AFTER]);
  });

  it('a restarted registry is followed again: the sidecars take a later publish (a rollback)', async () => {
    await startRegistry(fx.keys.privateKeyFile);
    const r = await runTplus([
      'rollback',
      '--registry',
      `unix:${socket}`,
      '--token-file',
      fx.publishTokenFile,
      '--to',
      '1',
      '--reason',
      'closure cancelled',
    ]);
    expect(r.code, r.output).toBe(0);
    await Promise.all(nodes.map((n) => n.proc.waitFor('ruleset_active', activeAt(3), 20_000)));
    expect(await answers()).toEqual([BEFORE, BEFORE, BEFORE]);
  });

  it('a snapshot signed with a key the sidecars do not trust is rejected, counted, and the old version keeps serving', async () => {
    await (registry as TplusProcess).stop('SIGTERM');
    await startRegistry(rogueKey);
    await publish(holidayPack, 'published by a registry with the wrong key');
    const rejected = await Promise.all(nodes.map((n) => n.proc.waitFor('snapshot_rejected', activeAt(4))));
    expect(rejected.map((l) => l['reason'])).toEqual(['bad_signature', 'bad_signature', 'bad_signature']);
    expect(await answers()).toEqual([BEFORE, BEFORE, BEFORE]);
    const url = String((await (nodes[1] as Node).proc.waitFor('metrics_listening'))['url']);
    const text = await (await fetch(url)).text();
    expect(text).toMatch(/tplus_snapshot_rejected_total\{reason="bad_signature"\} 1/);
    expect(text).toMatch(/tplus_ruleset_version 3/);
    expect(text).toMatch(/tplus_sync_failures_total\{reason="unavailable"\} [1-9]/);
  });
});
