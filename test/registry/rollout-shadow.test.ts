import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import {
  followerArgs,
  packWithEmergencyHoliday,
  publishArgs,
  registryArgs,
  registryFixture,
  writeArgs,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, tplusOk, type TplusProcess } from './tplus-process.js';

// The candidate closes XNYS (and US settlement) on 2030-03-13: a trade of 2030-03-12 settles a day
// later; one of 2030-06-11 does not move.
const MOVED = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };
const UNMOVED = { tradeDate: '2030-06-11', assetClass: 'EQUITY', market: 'XNYS' };
const DECLARED = '2030-03-01..2030-03-31';
const CALLS = 100;

interface Node {
  readonly id: string;
  readonly proc: TplusProcess;
  readonly client: TestClient;
  readonly metrics: string;
}

describe('shadow evaluation, declarations, guards and NACKs (real processes)', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let address: string;
  let holidayPack: string;
  const nodes = new Map<string, Node>();
  const node = (id: string): Node => nodes.get(id) as Node;
  const write = (command: string, extra: readonly string[]): string[] => writeArgs(fx, address, command, extra);
  const ok = tplusOk;
  const startNode = async (id: string, labels: string, extra: readonly string[] = []): Promise<Node> => {
    const dir = join(fx.dir, id);
    const proc = spawnTplus(
      followerArgs(fx, address, dir, [
        '--sidecar-id',
        id,
        '--labels',
        labels,
        '--metrics-listen',
        '127.0.0.1:0',
        '--rollout-report-ms',
        '200',
        ...extra,
      ]),
    );
    const metrics = String((await proc.waitFor('metrics_listening'))['url']);
    await proc.waitFor('serving');
    const n = { id, proc, client: new TestClient(`unix://${join(dir, 's.sock')}`), metrics };
    nodes.set(id, n);
    return n;
  };
  const traffic = async (n: Node, request: object, calls: number): Promise<void> => {
    for (let i = 0; i < calls; i++) await n.client.call('GetSettlementDate', request);
  };
  const shadowCount = async (n: Node, outcome: string): Promise<number> => {
    const text = await (await fetch(n.metrics)).text();
    const m = new RegExp(`^tplus_shadow_decisions_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
    return Number(m?.[1] ?? -1);
  };
  /** Polls (bounded: 100 tries, 10 s) until `probe` returns true. */
  const eventually = async (probe: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (let i = 0; i < 100 && Date.now() < deadline; i++) {
      if (await probe()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('condition not reached within 10 s');
  };
  const at = (version: number) => (l: LogLine) => l['version'] === version;
  /**
   * Resolves when `n` logs a `ruleset_active` at `version` after this call (waitFor alone also finds the
   * lines it logged before: a canary that was on the candidate and went back would match at once).
   */
  const activates = (n: Node, version: number): Promise<LogLine> => {
    const from = n.proc.logs.length;
    return n.proc.waitFor('ruleset_active', (l) => at(version)(l) && n.proc.logs.indexOf(l) >= from);
  };

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    holidayPack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
    address = `unix:${join(fx.dir, 'registry.sock')}`;
    registry = spawnTplus(registryArgs(fx, address, ['--metrics-listen', 'off', '--heartbeat-ms', '200']));
    await registry.waitFor('registry_serving');
    await ok(publishArgs(fx, address, RULES_DIR, 'initial: the bundled pack'));
    await Promise.all([
      startNode('canary-0', 'role=canary'),
      startNode('general-1', 'role=general'),
      startNode('skewed-2', 'role=general', ['--allow-drills', '--drill-candidate-fault', 'skew']),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes.values()) n.client.close();
    await Promise.all([...[...nodes.values()].map((n) => n.proc.stop('SIGKILL')), registry.stop('SIGKILL')]);
    fx.remove();
  });

  it('a candidate whose diff leaves its declaration is refused at publish, listing what moves; nothing is stored', async () => {
    const r = await runTplus([
      ...publishArgs(fx, address, holidayPack, 'closure'),
      '--stage',
      'candidate',
      '--expect-changes',
      `${DECLARED}@XLON`,
    ]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /FAILED_PRECONDITION \(UNEXPECTED_CHANGES\): the candidate moves answers outside its declaration \(2030-03-01\.\.2030-03-31@XLON\): /,
    );
    expect(r.output).toMatch(/XNYS EQUITY 2030-03-12\.\.2030-03-13 \(2 trade date\(s\), e\.g\. 2030-03-12: 2030-03-13 → 2030-03-14\)/);
    const history = await ok(['history', '--registry', address, '--token-file', fx.readTokenFile]);
    expect(history.trim().split('\n')).toHaveLength(1);
  });

  it('traffic through a sidecar shadowing the candidate counts same and expected_change, with samples, per sidecar and fleet-wide', async () => {
    const out = await ok([
      ...publishArgs(fx, address, holidayPack, 'closure 2030-03-13'),
      '--stage',
      'candidate',
      '--expect-changes',
      DECLARED,
    ]);
    expect(out).toMatch(/candidate: version 2 /);
    await Promise.all([...nodes.values()].map((n) => n.proc.waitFor('shadow_held', at(2))));
    for (const n of [node('canary-0'), node('general-1')]) {
      await traffic(n, MOVED, CALLS);
      await traffic(n, UNMOVED, CALLS);
    }
    const g = node('general-1');
    await eventually(async () => (await shadowCount(g, 'same')) === CALLS && (await shadowCount(g, 'expected_change')) === CALLS);
    expect(await shadowCount(g, 'unexpected_change')).toBe(0);
    await eventually(async () =>
      /same 200, expected_change 200, unexpected_change 0/.test(
        await ok(['shadow-report', '--registry', address, '--token-file', fx.readTokenFile, '--version', '2']),
      ),
    );
    const report = await ok(['shadow-report', '--registry', address, '--token-file', fx.readTokenFile, '--version', '2']);
    expect(report).toMatch(
      /^version 2: 400 shadow decision\(s\) over 3 follower\(s\): same 200, expected_change 200, unexpected_change 0, error 0/m,
    );
    expect(report).toMatch(/^ {2}XNYS 2030-03-12 expected_change: 200$/m);
    expect(report).toMatch(
      /^ {2}expected_change XNYS EQUITY trade 2030-03-12: live 2030-03-13 \(\S+\) → candidate 2030-03-14 \(\S+\) \[(canary-0|general-1)\]$/m,
    );
    const own = await ok(['shadow-report', '--sidecar', `unix:${join(fx.dir, 'general-1', 's.sock')}`]);
    expect(own).toMatch(
      /^version 2: 200 shadow decision\(s\) over 1 follower\(s\): same 100, expected_change 100, unexpected_change 0, error 0/m,
    );
    expect(own).toMatch(
      /^ {2}expected_change XNYS EQUITY trade 2030-03-12: live 2030-03-13 \(\S+\) → candidate 2030-03-14 \(\S+\) \[general-1\]$/m,
    );
  });

  it('a sidecar that builds the candidate differently (test-only fault) shows unexpected_change, and promote is refused', async () => {
    const s = node('skewed-2');
    // 40 unary calls and one row batch of 10 (what the SDK's coalescing sends): both are shadowed.
    await traffic(s, UNMOVED, 40);
    await s.client.call('BatchGetSettlementDates', { items: Array.from({ length: 10 }, () => UNMOVED) });
    await eventually(async () => (await shadowCount(s, 'unexpected_change')) === 50);
    await eventually(async () =>
      /unexpected_change 50/.test(await ok(['shadow-report', '--registry', address, '--token-file', fx.readTokenFile, '--version', '2'])),
    );
    const r = await runTplus(write('promote', ['--version', '2', '--min-shadow-decisions', '100']));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /FAILED_PRECONDITION \(PROMOTE_BLOCKED\): promote of version 2 refused: 50 unexpected shadow change\(s\) \(--force --reason TEXT overrides\)/,
    );
    const many = await runTplus(write('promote', ['--version', '2']));
    expect(many.output).toMatch(/450 shadow decision\(s\) counted over 3 follower\(s\), fewer than --min-shadow-decisions 10000/);
  });

  it('a follower given a candidate it cannot verify NACKs with the reason, keeps live, and the rollout halts', async () => {
    const canaryOnCandidate = activates(node('canary-0'), 2);
    await ok(write('rollout', ['--version', '2', '--selector', 'role=canary', '--reason', 'canary']));
    await canaryOnCandidate;
    const canaryBackOnLive = activates(node('canary-0'), 1);
    const late = await startNode('corrupt-3', 'role=general', ['--allow-drills', '--drill-candidate-fault', 'corrupt']);
    const rejected = await late.proc.waitFor('candidate_rejected', at(2));
    expect(rejected['state']).toBe('bad_hash');
    await registry.waitFor('rollout_nack', (l) => l['sidecarId'] === 'corrupt-3');
    // Halted: the canary goes back to live; the late sidecar never left it.
    await canaryBackOnLive;
    expect((await late.client.call<{ settlementDate: string }>('GetSettlementDate', MOVED)).settlementDate).toBe('2030-03-13');
    const fleet = await ok(['fleet', '--registry', address, '--token-file', fx.readTokenFile]);
    expect(fleet).toMatch(/^live version 1; candidate 2 halted; 4 follower\(s\)$/m);
    expect(fleet).toMatch(/^corrupt-3 +role=general +active 1 {2}shadow - {2}NACK 2 bad_hash: version 2: /m);
    const again = await runTplus(write('rollout', ['--version', '2', '--selector', 'role=canary']));
    expect(again.output).toMatch(/FAILED_PRECONDITION \(ROLLOUT_HALTED\)/);
    const promote = await runTplus(write('promote', ['--version', '2', '--min-shadow-decisions', '1']));
    expect(promote.output).toMatch(/PROMOTE_BLOCKED\): promote of version 2 refused: 1 NACK\(s\), last: corrupt-3: bad_hash: /);
  });

  it('promote --force --reason makes the candidate live everywhere (audited as forced)', async () => {
    const promoted = [...nodes.values()].map((n) => activates(n, 2));
    expect(await ok(write('promote', ['--version', '2', '--force', '--reason', 'drill: accept the known skew']))).toMatch(
      /version 2: promoted; live is 2 \(forced\)/,
    );
    await Promise.all(promoted);
    for (const n of nodes.values())
      expect((await n.client.call<{ settlementDate: string }>('GetSettlementDate', MOVED)).settlementDate).toBe('2030-03-14');
    const db = new Database(join(fx.dir, 'data', 'registry.db'), { readonly: true });
    try {
      const rows = db
        .prepare<[], { who: string; detail: string; result: string }>(
          "SELECT who, detail, result FROM audit WHERE action = 'Promote' ORDER BY id",
        )
        .all();
      expect(rows.map((r) => r.result)).toEqual(['PROMOTE_BLOCKED', 'PROMOTE_BLOCKED', 'PROMOTE_BLOCKED', 'ok']);
      expect(rows.at(-1)).toEqual({
        who: 'publish',
        detail: 'version=2 min_shadow_decisions=10000 force=true reason="drill: accept the known skew"',
        result: 'ok',
      });
    } finally {
      db.close();
    }
  });
});
