import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { PublishResponseMessage, SnapshotMessage, VersionInfoMessage } from '../../server/src/registry/registry-wire.js';
import { loadRegistryConfig } from '../../server/src/registry/server/load-registry-config.js';
import { readPublicKey } from '../../server/src/registry/signing-keys.js';
import { verifySnapshot } from '../../server/src/sync/verify-snapshot.js';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { PUBLISH_TOKEN, READ_TOKEN, registryFixture } from './registry-harness.js';
import { packFiles, registryClient, seededRandom, unary, wednesday, withClosure } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

// Where a kill -9 lands decides what the registry owes the publisher:
//   before-commit            nothing was stored: the version must not exist, the client got an error;
//   committed-unacknowledged the version is durable although the client got an error (a retry of the
//                            same content gets it back, see the ledger's idempotence);
//   acknowledged             the client got the version: it must survive every later crash intact.
// The first two windows are a few milliseconds wide, so a random kill rarely lands in them. The registry's
// test/drill hook --drill-publish-pause-ms logs `publish_paused` with the phase and then blocks, so a kill
// sent on that log line lands in that phase deterministically. Random kills are kept as well, to fuzz
// every other instant of a publish.
type Bucket = 'before-commit' | 'committed-unacknowledged' | 'acknowledged';
const BUCKETS: readonly Bucket[] = ['before-commit', 'committed-unacknowledged', 'acknowledged'];
const ROUNDS = 2;
const RANDOM_KILLS = 6;
// Only has to outlast the time from the log line to the kill; generous for a loaded 2-core box.
const PAUSE_MS = 2_000;

describe('--drill-publish-pause-ms (the test/drill hook that pins where a kill lands)', () => {
  const base = ['--signing-key', '/k', '--tokens', '/t'];
  it('is off unless given, and a bad value is refused naming the field and the value', () => {
    const off = loadRegistryConfig(base, {}, '/tmp');
    expect(off.kind === 'config' && off.config.drillPublishPauseMs).toBeUndefined();
    const on = loadRegistryConfig([...base, '--drill-publish-pause-ms', '250'], {}, '/tmp');
    expect(on.kind === 'config' && on.config.drillPublishPauseMs).toBe(250);
    expect(() => loadRegistryConfig([...base, '--drill-publish-pause-ms', 'soon'], {}, '/tmp')).toThrow(
      /drillPublishPauseMs.*soon|soon.*drillPublishPauseMs/s,
    );
    expect(() => loadRegistryConfig([...base, '--drill-publish-pause-ms', '600000'], {}, '/tmp')).toThrow(/drillPublishPauseMs/);
  });
});

describe('kill -9 of the registry in the middle of a publish', () => {
  const fx = registryFixture();
  let registry: TplusProcess | null = null;
  afterAll(async () => {
    await registry?.stop('SIGKILL');
    fx.remove();
  });

  it(`lands a kill in each bucket (before commit, committed not acknowledged, acknowledged) ${ROUNDS} times, plus ${RANDOM_KILLS} random kills: no acknowledged version lost, none half-written`, async () => {
    buildServer();
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const socket = join(fx.dir, 'registry.sock');
    const dataDir = join(fx.dir, 'data');
    const publicKey = readPublicKey(fx.keys.publicKeyFile);
    const base = packFiles(RULES_DIR);
    const start = async (pause: boolean): Promise<TplusProcess> => {
      const args = [
        'registry',
        '--data-dir',
        dataDir,
        '--listen',
        `unix:${socket}`,
        '--signing-key',
        fx.keys.privateKeyFile,
        '--tokens',
        fx.tokensFile,
        '--metrics-listen',
        'off',
      ];
      const p = (registry = spawnTplus(pause ? [...args, '--drill-publish-pause-ms', String(PAUSE_MS)] : args));
      await p.waitFor('registry_serving');
      return p;
    };
    const acknowledged = new Map<number, string>();
    const landed: Record<Bucket, number> = { 'before-commit': 0, 'committed-unacknowledged': 0, acknowledged: 0 };
    const plan: { aim: Bucket | 'random'; delayMs: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) for (const b of BUCKETS) plan.push({ aim: b, delayMs: 0 });
    const client = registryClient(`unix:${socket}`);
    try {
      // One publish that is not interrupted tells how long a publish takes, so random kills land inside one.
      let proc = await start(false);
      const t0 = performance.now();
      const first = await unary<PublishResponseMessage>(
        client,
        'Publish',
        { files: base, reason: 'initial', author: 'test' },
        PUBLISH_TOKEN,
      );
      const publishMs = performance.now() - t0;
      acknowledged.set(first.version.version, first.version.sha256);
      for (let i = 0; i < RANDOM_KILLS; i++) plan.push({ aim: 'random', delayMs: Math.round(random() * publishMs * 1.5) });
      for (const [i, step] of plan.entries()) {
        const paused = step.aim === 'before-commit' || step.aim === 'committed-unacknowledged';
        if (paused !== proc.logs.some((l) => l['event'] === 'drill_publish_pause')) {
          await proc.stop('SIGKILL');
          proc = await start(paused);
        }
        const before = (await unary<{ versions: VersionInfoMessage[] }>(client, 'ListVersions', {}, READ_TOKEN)).versions.length;
        const seen = proc.logs.length;
        const outcome = unary<PublishResponseMessage>(
          client,
          'Publish',
          { files: withClosure(base, wednesday(i)), reason: `kill ${i}: ${step.aim}`, author: 'test' },
          PUBLISH_TOKEN,
          15_000,
        ).then(
          (r) => ({ ok: true as const, r }),
          (e: ServiceError) => ({ ok: false as const, e }),
        );
        const phase = step.aim === 'before-commit' ? 'before-commit' : 'after-commit';
        if (paused) await proc.waitFor('publish_paused', (l) => l['phase'] === phase && proc.logs.indexOf(l) >= seen, 15_000);
        else if (step.aim === 'acknowledged') await outcome;
        else await new Promise((r) => setTimeout(r, step.delayMs));
        proc.child.kill('SIGKILL');
        await proc.exited;
        const result = await outcome;
        if (result.ok) acknowledged.set(result.r.version.version, result.r.version.sha256);
        // The database recovers from its WAL and is intact.
        const db = new Database(join(dataDir, 'registry.db'));
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        db.close();
        proc = await start(paused);
        const versions = (await unary<{ versions: VersionInfoMessage[] }>(client, 'ListVersions', {}, READ_TOKEN)).versions;
        const numbers = versions.map((v) => v.version).reverse();
        expect(numbers, `kill ${i} (seed ${seed})`).toEqual(Array.from({ length: numbers.length }, (_, k) => k + 1));
        for (const [version, sha256] of acknowledged)
          expect(versions.find((v) => v.version === version)?.sha256, `acknowledged version ${version} (seed ${seed})`).toBe(sha256);
        for (const v of versions) {
          const s = await unary<SnapshotMessage>(client, 'GetVersion', { version: v.version }, READ_TOKEN);
          expect(verifySnapshot(s, publicKey, 'test').version).toBe(v.version);
        }
        const bucket: Bucket = result.ok ? 'acknowledged' : versions.length > before ? 'committed-unacknowledged' : 'before-commit';
        if (step.aim !== 'random') expect(bucket, `kill ${i} aimed at ${step.aim} (seed ${seed})`).toBe(step.aim);
        landed[bucket]++;
      }
      // Each bucket was hit by the aimed kills alone (random ones only add to the counts).
      for (const b of BUCKETS) expect(landed[b], `kills landing ${b}: ${JSON.stringify(landed)}`).toBeGreaterThanOrEqual(ROUNDS);
      console.log(
        `kill -9 during publish (seed ${seed}, publish ≈ ${Math.round(publishMs)} ms): ${plan.length} kills, landed ${JSON.stringify(landed)}; ${acknowledged.size} acknowledged versions all intact`,
      );
    } finally {
      client.close();
    }
  }, 180_000);
});
