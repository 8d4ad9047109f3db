import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { followerArgs, packWithEmergencyHoliday, registryFixture, type RegistryFixture } from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

const TRADE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };

interface VersionLine {
  version: number;
  sha256: string;
  signature: string;
  keyId: string;
  publishedAt: string;
}

describe('relay: registry → relay → 2 sidecars, as real processes', () => {
  let fx: RegistryFixture;
  let root: TplusProcess | undefined;
  let relay: TplusProcess | undefined;
  const sidecars: { proc: TplusProcess; client: TestClient }[] = [];
  const rootSocket = (): string => join(fx.dir, 'root.sock');
  const relaySocket = (): string => join(fx.dir, 'relay.sock');
  const history = async (socket: string): Promise<VersionLine[]> => {
    const r = await runTplus(['history', '--registry', `unix:${socket}`, '--token-file', fx.readTokenFile, '--json']);
    expect(r.code, r.output).toBe(0);
    return r.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as VersionLine);
  };
  const publish = async (socket: string, rules: string, reason: string): Promise<{ code: number | null; output: string }> =>
    runTplus(['publish', '--registry', `unix:${socket}`, '--token-file', fx.publishTokenFile, '--rules', rules, '--reason', reason]);
  const at = (version: number) => (l: LogLine) => l['version'] === version;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    const up = (root = spawnTplus([
      'registry',
      '--data-dir',
      join(fx.dir, 'root'),
      '--listen',
      `unix:${rootSocket()}`,
      '--signing-key',
      fx.keys.privateKeyFile,
      '--tokens',
      fx.tokensFile,
      '--metrics-listen',
      'off',
      '--heartbeat-ms',
      '200',
    ]));
    await up.waitFor('registry_serving');
    // Two versions exist before the relay starts: it must fetch version 1 too (Watch only sends the latest).
    expect((await publish(rootSocket(), RULES_DIR, 'initial')).code).toBe(0);
    expect(
      (await publish(rootSocket(), packWithEmergencyHoliday(join(fx.dir, 'p-2031'), '2031-03-13', 'Closure A'), 'closure 2031')).code,
    ).toBe(0);
    const down = (relay = spawnTplus([
      'registry',
      '--upstream',
      `unix:${rootSocket()}`,
      '--upstream-public-key',
      fx.keys.publicKeyFile,
      '--upstream-token-file',
      fx.readTokenFile,
      '--tokens',
      fx.tokensFile,
      '--data-dir',
      join(fx.dir, 'relay'),
      '--listen',
      `unix:${relaySocket()}`,
      '--metrics-listen',
      'off',
      '--heartbeat-ms',
      '200',
    ]));
    await down.waitFor('version_replicated', at(2));
    for (let i = 0; i < 2; i++) {
      const dir = join(fx.dir, `sidecar-${i}`);
      const proc = spawnTplus(followerArgs(fx, `unix:${relaySocket()}`, dir, ['--metrics-listen', 'off']));
      sidecars.push({ proc, client: new TestClient(`unix://${join(dir, 's.sock')}`) });
    }
    await Promise.all(sidecars.map((s) => s.proc.waitFor('serving')));
  }, 120_000);

  afterAll(async () => {
    for (const s of sidecars) s.client.close();
    await Promise.all([...sidecars.map((s) => s.proc.stop('SIGKILL')), relay?.stop('SIGKILL'), root?.stop('SIGKILL')]);
    fx.remove();
  });

  it('holds every upstream version unchanged: same numbers, hashes, signatures and key (a relay never re-signs)', async () => {
    const [up, down] = await Promise.all([history(rootSocket()), history(relaySocket())]);
    expect(down.map((v) => v.version)).toEqual([2, 1]);
    expect(down).toEqual(up);
  });

  it('a publish at the root reaches both sidecars through the relay; publish-to-last-swap is reported', async () => {
    const answers = async (): Promise<string[]> =>
      Promise.all(sidecars.map(async (s) => (await s.client.call<{ settlementDate: string }>('GetSettlementDate', TRADE)).settlementDate));
    expect(await answers()).toEqual(['2030-03-13', '2030-03-13']);
    expect((await publish(rootSocket(), packWithEmergencyHoliday(join(fx.dir, 'p-2030')), 'emergency closure 2030-03-13')).code).toBe(0);
    const published = await (root as TplusProcess).waitFor('version_published', at(3));
    const swaps = await Promise.all(sidecars.map((s) => s.proc.waitFor('ruleset_active', at(3))));
    const ms = Math.max(...swaps.map((s) => Date.parse(String(s['time'])))) - Date.parse(String(published['time']));
    console.log(`relay tree: publish at the root → last of 2 sidecars behind a relay swapped: ${ms} ms`);
    expect(ms).toBeLessThan(2_000);
    expect(await answers()).toEqual(['2030-03-14', '2030-03-14']);
    expect(await history(relaySocket())).toEqual(await history(rootSocket()));
    // Replay works against the relay as against the root: every version, verified with the root's key.
    const audit = async (socket: string) =>
      runTplus([
        'audit',
        '--registry',
        `unix:${socket}`,
        '--token-file',
        fx.readTokenFile,
        '--registry-public-key',
        fx.keys.publicKeyFile,
        '--market',
        'XNYS',
        '--asset-class',
        'EQUITY',
        '--trade-date',
        '2030-03-12',
        '--json',
      ]);
    const [viaRoot, viaRelay] = await Promise.all([audit(rootSocket()), audit(relaySocket())]);
    expect(viaRelay.code, viaRelay.output).toBe(0);
    expect(viaRelay.output).toBe(viaRoot.output);
    expect(
      viaRelay.output
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { settlement_date: string }).settlement_date),
    ).toEqual(['2030-03-13', '2030-03-13', '2030-03-14']);
  });

  it('the root killed: the relay keeps serving what it holds; its sidecars keep answering and stay connected to it', async () => {
    const up = root as TplusProcess;
    up.child.kill('SIGKILL');
    await up.exited;
    await (relay as TplusProcess).waitFor('registry_watch_failed');
    expect((await history(relaySocket())).map((v) => v.version)).toEqual([3, 2, 1]);
    const answers = await Promise.all(
      sidecars.map(async (s) => await s.client.call<{ settlementDate: string; rulesetVersion: number }>('GetSettlementDate', TRADE)),
    );
    expect(answers.map((a) => [a.settlementDate, a.rulesetVersion])).toEqual([
      ['2030-03-14', 3],
      ['2030-03-14', 3],
    ]);
    expect(sidecars.flatMap((s) => s.proc.logs.filter((l) => l['event'] === 'registry_watch_failed'))).toEqual([]);
  });

  it('refuses Publish and Rollback with FAILED_PRECONDITION (RELAY_READ_ONLY), audited, nothing changed', async () => {
    const p = await publish(relaySocket(), RULES_DIR, 'to the relay by mistake');
    expect(p.code).toBe(1);
    expect(p.output).toMatch(/FAILED_PRECONDITION \(RELAY_READ_ONLY\): this registry is a read-only relay of unix:/);
    const r = await runTplus([
      'rollback',
      '--registry',
      `unix:${relaySocket()}`,
      '--token-file',
      fx.readTokenFile,
      '--to',
      '1',
      '--reason',
      'x',
    ]);
    expect(r.output).toMatch(/FAILED_PRECONDITION \(RELAY_READ_ONLY\)/);
    expect((await history(relaySocket())).map((v) => v.version)).toEqual([3, 2, 1]);
    const db = new Database(join(fx.dir, 'relay', 'registry.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT who, action, result FROM audit WHERE action IN ('Publish', 'Rollback') ORDER BY id").all();
      expect(rows).toEqual([
        { who: 'publish', action: 'Publish', result: 'RELAY_READ_ONLY' },
        { who: 'read', action: 'Rollback', result: 'RELAY_READ_ONLY' },
      ]);
    } finally {
      db.close();
    }
  });
});
