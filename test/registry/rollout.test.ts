import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import {
  followerArgs,
  packWithEmergencyHoliday,
  PUBLISH_TOKEN,
  publishArgs,
  READ_TOKEN,
  registryArgs,
  registryFixture,
  writeArgs,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, tplusOk, type TplusProcess } from './tplus-process.js';

// The candidate closes XNYS (and US settlement) on 2030-03-13: a T+1 trade of 2030-03-12 settles a day later.
const TRADE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };
const LIVE = '2030-03-13';
const CANDIDATE = '2030-03-14';
const DECLARED = '2030-03-01..2030-03-31';

interface Node {
  readonly id: string;
  readonly role: string;
  readonly proc: TplusProcess;
  readonly client: TestClient;
}

interface FleetJson {
  readonly liveVersion: number;
  readonly followers: readonly {
    sidecarId: string;
    labels: Record<string, string>;
    activeVersion: number;
    shadowVersion: number;
    lastReport: string;
  }[];
}

describe('staged rollout: a candidate, four labelled sidecars, rollout to role=canary, abort (real processes)', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let address: string;
  let holidayPack: string;
  let metricsUrl: string;
  const nodes: Node[] = [];
  const cli = tplusOk;
  const write = (command: string, extra: readonly string[]): string[] => writeArgs(fx, address, command, extra);
  const answers = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const n of nodes) out[n.id] = (await n.client.call<{ settlementDate: string }>('GetSettlementDate', TRADE)).settlementDate;
    return out;
  };
  const fleet = async (): Promise<FleetJson> =>
    JSON.parse(await cli(['fleet', '--registry', address, '--token-file', fx.readTokenFile, '--json'])) as FleetJson;
  const at = (version: number) => (l: LogLine) => l['version'] === version;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    // Named identities: every rollout step is signed and audited with the token's name, not its role.
    writeFileSync(fx.tokensFile, `publish alice ${PUBLISH_TOKEN}\nread fleet-reader ${READ_TOKEN}\n`, { mode: 0o600 });
    holidayPack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
    address = `unix:${join(fx.dir, 'registry.sock')}`;
    registry = spawnTplus(registryArgs(fx, address, ['--metrics-listen', '127.0.0.1:0', '--heartbeat-ms', '200']));
    metricsUrl = `http://${String((await registry.waitFor('registry_serving'))['metrics'])}/metrics`;
    await cli(publishArgs(fx, address, RULES_DIR, 'initial: the bundled pack'));
    for (const [i, role] of ['canary', 'canary', 'general', 'general'].entries()) {
      const dir = join(fx.dir, `sidecar-${i}`);
      const id = `sc-${i}`;
      const proc = spawnTplus(
        followerArgs(fx, address, dir, ['--sidecar-id', id, '--labels', `site=ny,role=${role}`, '--metrics-listen', 'off']),
      );
      nodes.push({ id, role, proc, client: new TestClient(`unix://${join(dir, 's.sock')}`) });
    }
    await Promise.all(nodes.map((n) => n.proc.waitFor('serving')));
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) n.client.close();
    await Promise.all([...nodes.map((n) => n.proc.stop('SIGKILL')), registry.stop('SIGKILL')]);
    fx.remove();
  });

  it('a candidate is stored signed but not live: every sidecar holds it as shadow and keeps answering from live', async () => {
    const out = await cli([
      ...publishArgs(fx, address, holidayPack, 'emergency closure 2030-03-13'),
      '--stage',
      'candidate',
      '--expect-changes',
      DECLARED,
    ]);
    expect(out).toMatch(/candidate: version 2 sha256 [0-9a-f]{64} \(live stays 1\)/);
    await Promise.all(nodes.map((n) => n.proc.waitFor('shadow_held', at(2))));
    expect(Object.values(await answers())).toEqual([LIVE, LIVE, LIVE, LIVE]);
    const f = await fleet();
    expect(f.liveVersion).toBe(1);
    expect(f.followers.map((m) => [m.sidecarId, m.activeVersion, m.shadowVersion])).toEqual([
      ['sc-0', 1, 2],
      ['sc-1', 1, 2],
      ['sc-2', 1, 2],
      ['sc-3', 1, 2],
    ]);
  });

  it('another publish is refused while the candidate is open, naming it', async () => {
    const r = await runTplus(publishArgs(fx, address, RULES_DIR, 'unrelated change'));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/FAILED_PRECONDITION \(CANDIDATE_OPEN\): candidate version 2 is open: promote or abort it first/);
  });

  it('rollout --selector role=canary: exactly the canaries activate it, the others keep live, fleet shows it', async () => {
    const out = await cli(write('rollout', ['--version', '2', '--selector', 'role=canary', '--reason', 'canary the closure']));
    expect(out).toMatch(/rollout of version 2: rolling \(selector role=canary\)/);
    await Promise.all(nodes.filter((n) => n.role === 'canary').map((n) => n.proc.waitFor('ruleset_active', at(2))));
    expect(await answers()).toEqual({ 'sc-0': CANDIDATE, 'sc-1': CANDIDATE, 'sc-2': LIVE, 'sc-3': LIVE });
    for (const n of nodes.filter((n) => n.role === 'general'))
      expect(n.proc.logs.some((l) => l['event'] === 'ruleset_active' && l['version'] === 2)).toBe(false);
    const deadline = Date.now() + 10_000;
    let f = await fleet();
    while (f.followers.filter((m) => m.activeVersion === 2).length < 2 && Date.now() < deadline) f = await fleet();
    expect(f.followers.map((m) => [m.sidecarId, m.labels['role'], m.activeVersion, m.lastReport])).toEqual([
      ['sc-0', 'canary', 2, 'ACK 2 activated'],
      ['sc-1', 'canary', 2, 'ACK 2 activated'],
      ['sc-2', 'general', 1, 'ACK 2 shadow'],
      ['sc-3', 'general', 1, 'ACK 2 shadow'],
    ]);
    const text = await cli(['fleet', '--registry', address, '--token-file', fx.readTokenFile]);
    expect(text).toMatch(/^live version 1; candidate 2 rolling; 4 follower\(s\)$/m);
    expect(text).toMatch(/^sc-0 +role=canary,site=ny +active 2 {2}shadow - {2}ACK 2 activated {2}staleness \d+\.\ds {2}last seen 20\d\d-/m);
    expect(text).toMatch(/^sc-2 +role=general,site=ny +active 1 {2}shadow 2 {2}ACK 2 shadow /m);
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/^tplus_registry_followers\{version="2",role="canary"\} 2$/m);
    expect(metrics).toMatch(/^tplus_registry_followers\{version="1",role="general"\} 2$/m);
  });

  it('abort returns every sidecar to live; every step is audited with the caller identity, the candidate signed by it', async () => {
    const out = await cli(write('abort', ['--version', '2', '--reason', 'closure cancelled']));
    expect(out).toMatch(/version 2: aborted; live is 1/);
    await Promise.all(nodes.filter((n) => n.role === 'canary').map((n) => n.proc.waitFor('ruleset_active', at(1))));
    expect(Object.values(await answers())).toEqual([LIVE, LIVE, LIVE, LIVE]);
    const f = await fleet();
    expect(f.followers.map((m) => m.activeVersion)).toEqual([1, 1, 1, 1]);
    // After the abort a normal publish goes through again, as version 3.
    const again = await cli(publishArgs(fx, address, holidayPack, 'the closure after all'));
    expect(again).toMatch(/published: version 3/);
    await Promise.all(nodes.map((n) => n.proc.waitFor('ruleset_active', at(3))));
    const db = new Database(join(fx.dir, 'data', 'registry.db'), { readonly: true });
    try {
      const rows = db
        .prepare<[], { who: string; action: string; result: string }>(
          "SELECT who, action, result FROM audit WHERE action IN ('PublishCandidate', 'StartRollout', 'Abort', 'Publish') ORDER BY id",
        )
        .all();
      expect(rows).toEqual([
        { who: 'alice', action: 'Publish', result: 'ok' },
        { who: 'alice', action: 'PublishCandidate', result: 'ok' },
        { who: 'alice', action: 'Publish', result: 'CANDIDATE_OPEN' },
        { who: 'alice', action: 'StartRollout', result: 'ok' },
        { who: 'alice', action: 'Abort', result: 'ok' },
        { who: 'alice', action: 'Publish', result: 'ok' },
      ]);
      // The candidate (version 2) is signed with the authenticated name, whatever author the CLI sent.
      const author = db.prepare<[], { author: string }>('SELECT author FROM versions WHERE version = 2').get();
      expect(author?.author).toBe('alice');
    } finally {
      db.close();
    }
  });
});
