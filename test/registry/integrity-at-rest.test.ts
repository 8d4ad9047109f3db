import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RulesetDocument } from '@tplus/core';
import { rulesetHash } from '@tplus/core';
import { REGISTRY_DATABASE_FILE } from '../../server/src/registry/server/start-registry.js';
import { DATABASE_FILE } from '../../server/src/sidecar/start-sidecar.js';
import { errorReport, TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { registryClient, unary } from './registry-client.js';
import {
  followerArgs,
  packWithEmergencyHoliday,
  publishArgs,
  READ_TOKEN,
  registryArgs,
  registryFixture,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

// Version 1 is the bundled pack; version 2 adds an emergency XNYS closure on 2030-03-13.
const TRADE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };
const V1_DATE = '2030-03-13';
const V2_DATE = '2030-03-14';

/** Alters one byte of a stored document (a digit of the first 2030 date), optionally re-hashing it as an attacker would. */
function alterOneByte(text: string): string {
  const at = text.indexOf('"2030-') + 10;
  const digit = text.charAt(at);
  const next = digit === '1' ? '2' : digit === '0' ? '1' : String(Number(digit) - 1);
  return text.slice(0, at) + next + text.slice(at + 1);
}

function tamperSidecar(dir: string, version: number, rehash: boolean): void {
  const db = new Database(join(dir, DATABASE_FILE));
  try {
    const row = db.prepare<[number], { document: string }>('SELECT document FROM ruleset_versions WHERE version = ?').get(version);
    if (!row) throw new Error(`version ${version} is not stored in ${dir}`);
    const altered = alterOneByte(row.document);
    db.prepare('UPDATE ruleset_versions SET document = ? WHERE version = ?').run(altered, version);
    if (rehash)
      db.prepare('UPDATE ruleset_versions SET hash = ? WHERE version = ?').run(
        rulesetHash(JSON.parse(altered) as RulesetDocument),
        version,
      );
  } finally {
    db.close();
  }
}

function copyDataDir(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(join(from, DATABASE_FILE + suffix))) copyFileSync(join(from, DATABASE_FILE + suffix), join(to, DATABASE_FILE + suffix));
  }
  return to;
}

async function metricsOf(p: TplusProcess): Promise<string> {
  const url = String((await p.waitFor('metrics_listening'))['url']);
  return (await fetch(url)).text();
}

describe('integrity at rest: a corrupt local copy is never served silently', () => {
  let fx: RegistryFixture;
  let socket: string;
  let template: string;
  let registry: TplusProcess | null = null;
  const running: TplusProcess[] = [];
  const clients: TestClient[] = [];
  let n = 0;

  const startRegistry = async (): Promise<TplusProcess> => {
    const p = (registry = spawnTplus(registryArgs(fx, `unix:${socket}`, ['--metrics-listen', '127.0.0.1:0', '--heartbeat-ms', '200'])));
    await p.waitFor('registry_serving');
    return p;
  };
  const publish = async (rules: string, reason: string): Promise<void> => {
    const r = await runTplus(publishArgs(fx, `unix:${socket}`, rules, reason));
    expect(r.code, r.output).toBe(0);
  };
  const sidecar = (dir: string, extra: readonly string[] = []): { proc: TplusProcess; client: TestClient } => {
    const proc = spawnTplus(followerArgs(fx, `unix:${socket}`, dir, ['--metrics-listen', '127.0.0.1:0', ...extra]));
    const client = new TestClient(`unix://${join(dir, 's.sock')}`);
    running.push(proc);
    clients.push(client);
    return { proc, client };
  };
  const fromTemplate = (): string => copyDataDir(template, join(fx.dir, `copy-${++n}`));
  const settle = async (client: TestClient): Promise<string> =>
    (await client.call<{ settlementDate: string }>('GetSettlementDate', TRADE)).settlementDate;
  const version = (v: number) => (l: LogLine) => l['version'] === v;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    socket = join(fx.dir, 'registry.sock');
    await startRegistry();
    await publish(RULES_DIR, 'initial: the bundled pack');
    template = join(fx.dir, 'template');
    const { proc } = sidecar(template);
    await proc.waitFor('serving');
    await publish(packWithEmergencyHoliday(join(fx.dir, 'pack-holiday')), 'emergency closure 2030-03-13');
    await proc.waitFor('ruleset_active', version(2));
    await proc.stop('SIGTERM');
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([...running.map((p) => p.stop('SIGKILL')), registry?.stop('SIGKILL')]);
    fx.remove();
  });

  for (const rehash of [false, true]) {
    it(`the latest local version altered by one byte${rehash ? ' with its hash column recomputed' : ''}: quarantined, counted, re-fetched, never served older`, async () => {
      const dir = fromTemplate();
      tamperSidecar(dir, 2, rehash);
      const { proc, client } = sidecar(dir);
      const serving = await proc.waitFor('serving');
      expect(serving['rulesetVersion']).toBe(2);
      expect(await settle(client)).toBe(V2_DATE);
      const corrupt = await proc.waitFor('local_version_corrupt', version(2));
      expect(corrupt['level']).toBe('error');
      const text = await metricsOf(proc);
      expect(text).toMatch(/tplus_snapshot_rejected_total\{reason="local_corrupt"\} 1/);
      expect(text).toMatch(/tplus_ruleset_version 2/);
      expect(text).toMatch(/tplus_ruleset_serving_older_version 0/);
    });
  }

  for (const rehash of [false, true]) {
    it(`a non-latest local version altered${rehash ? ' with its hash column recomputed' : ''}: the latest serves at once; the altered one is quarantined and re-fetched`, async () => {
      const dir = fromTemplate();
      tamperSidecar(dir, 1, rehash);
      const { proc, client } = sidecar(dir);
      expect((await proc.waitFor('serving'))['rulesetVersion']).toBe(2);
      expect(await settle(client)).toBe(V2_DATE);
      await proc.waitFor('local_version_corrupt', version(1));
      await proc.waitFor('version_refetched', version(1));
      const info = await client.call<{ heldVersions: { rulesetVersion: string | number }[] }>('GetRulesetInfo', {});
      expect(info.heldVersions.map((h) => Number(h.rulesetVersion))).toEqual([2, 1]);
      expect(await client.call<{ settlementDate: string }>('GetSettlementDate', { ...TRADE, rulesetVersion: 1 })).toMatchObject({
        settlementDate: V1_DATE,
      });
      expect(await metricsOf(proc)).toMatch(/tplus_snapshot_rejected_total\{reason="local_corrupt"\} 1/);
    });
  }

  it("every local version unusable and the registry reachable: installs the registry's latest instead of exiting", async () => {
    const dir = fromTemplate();
    tamperSidecar(dir, 1, true);
    tamperSidecar(dir, 2, false);
    const { proc, client } = sidecar(dir);
    expect((await proc.waitFor('serving'))['rulesetVersion']).toBe(2);
    expect(await settle(client)).toBe(V2_DATE);
    expect(await metricsOf(proc)).toMatch(/tplus_snapshot_rejected_total\{reason="local_corrupt"\} 2/);
  });

  it('the latest local version altered while the registry is down: serves the older version and says so, then catches up', async () => {
    await (registry as TplusProcess).stop('SIGTERM');
    const dir = fromTemplate();
    tamperSidecar(dir, 2, true);
    const { proc, client } = sidecar(dir, ['--registry-start-timeout-ms', '500']);
    expect((await proc.waitFor('serving'))['rulesetVersion']).toBe(1);
    const older = await proc.waitFor('serving_older_version');
    expect(older).toMatchObject({ level: 'error', version: 1, lastActivatedVersion: 2 });
    expect(await settle(client)).toBe(V1_DATE);
    const info = await client.call<Record<string, unknown>>('GetRulesetInfo', {});
    expect(Number(info['lastActivatedVersion'])).toBe(2);
    expect(String(info['integrityWarning'])).toMatch(/older/);
    expect(await metricsOf(proc)).toMatch(/tplus_ruleset_serving_older_version 1/);
    await startRegistry();
    await proc.waitFor('ruleset_active', version(2), 20_000);
    expect(await settle(client)).toBe(V2_DATE);
    expect(await metricsOf(proc)).toMatch(/tplus_ruleset_serving_older_version 0/);
    expect(String((await client.call<Record<string, unknown>>('GetRulesetInfo', {}))['integrityWarning'])).toBe('');
  });

  it('a tampered registry store: verified at start and on read, never sent (DATA_LOSS), alerted; a new publish heals the fleet', async () => {
    const holder = sidecar(fromTemplate());
    expect((await holder.proc.waitFor('serving'))['rulesetVersion']).toBe(2);
    await (registry as TplusProcess).stop('SIGTERM');
    const db = new Database(join(fx.dir, 'data', REGISTRY_DATABASE_FILE));
    try {
      const row = db.prepare<[], { document: Buffer }>('SELECT document FROM versions WHERE version = 2').get();
      db.exec('DROP TRIGGER versions_no_update');
      db.prepare('UPDATE versions SET document = ? WHERE version = 2').run(Buffer.from(alterOneByte(String(row?.document)), 'utf8'));
    } finally {
      db.close();
    }
    const reg = await startRegistry();
    expect(await reg.waitFor('registry_version_corrupt', version(2))).toMatchObject({ level: 'error' });
    const registryMetrics = String((await reg.waitFor('registry_serving'))['metrics']);
    expect(await (await fetch(`http://${registryMetrics}/metrics`)).text()).toMatch(/tplus_registry_corrupt_versions 1/);
    const raw = registryClient(`unix:${socket}`);
    try {
      const err = await unary(raw, 'GetVersion', { version: 2 }, READ_TOKEN).then(
        () => null,
        (e: ServiceError) => e,
      );
      expect(err?.code).toBe(status.DATA_LOSS);
      expect(err === null ? null : errorReport(err).reason).toBe('VERSION_CORRUPT');
      expect(err?.details).toMatch(/version 2/);
      expect(await unary(raw, 'GetVersion', { version: 1 }, READ_TOKEN)).toMatchObject({ version: 1 });
    } finally {
      raw.close();
    }
    // A new follower with nothing local cannot get version 2 and does not start on it.
    const fresh = sidecar(join(fx.dir, 'fresh'), ['--registry-start-timeout-ms', '1500']);
    expect(await fresh.proc.exited).toBe(1);
    expect(fresh.proc.logs.some((l) => l['event'] === 'registry_watch_failed' && /corrupt/.test(String(l['message'])))).toBe(true);
    // The follower holding a good version 2 keeps serving it.
    expect(await settle(holder.client)).toBe(V2_DATE);
    // Publishing the same content again creates version 3 (never "unchanged: version 2").
    await publish(join(fx.dir, 'pack-holiday'), 'republish after store corruption');
    await holder.proc.waitFor('ruleset_active', version(3), 20_000);
    expect(await settle(holder.client)).toBe(V2_DATE);
  });
});
