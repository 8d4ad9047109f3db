import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { PublishResponseMessage, SnapshotMessage, VersionInfoMessage } from '../../server/src/registry/registry-wire.js';
import { readPublicKey } from '../../server/src/registry/signing-keys.js';
import { verifySnapshot } from '../../server/src/replication/verify-snapshot.js';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { PUBLISH_TOKEN, READ_TOKEN, registryFixture } from './registry-harness.js';
import { packFiles, registryClient, seededRandom, unary, wednesday, withClosure } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

const ITERATIONS = 20;

describe('kill -9 of the registry in the middle of a publish', () => {
  const fx = registryFixture();
  let registry: TplusProcess | null = null;
  afterAll(async () => {
    await registry?.stop('SIGKILL');
    fx.remove();
  });

  it(`loses no acknowledged version and leaves no half-written one (${ITERATIONS} iterations)`, async () => {
    buildServer();
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const socket = join(fx.dir, 'registry.sock');
    const dataDir = join(fx.dir, 'data');
    const publicKey = readPublicKey(fx.keys.publicKeyFile);
    const base = packFiles(RULES_DIR);
    const start = async (): Promise<TplusProcess> => {
      const p = (registry = spawnTplus(['registry', '--data-dir', dataDir, '--listen', `unix:${socket}`, '--signing-key', fx.keys.privateKeyFile, '--tokens', fx.tokensFile, '--metrics-listen', 'off']));
      await p.waitFor('registry_serving');
      return p;
    };
    const acknowledged = new Map<number, string>();
    const tally = { acknowledged: 0, committedUnacknowledged: 0, notCommitted: 0 };
    const client = registryClient(`unix:${socket}`);
    try {
      // One publish that is not interrupted tells how long a publish takes, so the kills land inside one.
      let proc = await start();
      const t0 = performance.now();
      const first = await unary<PublishResponseMessage>(client, 'Publish', { files: base, reason: 'initial', author: 'test' }, PUBLISH_TOKEN);
      const publishMs = performance.now() - t0;
      acknowledged.set(first.version.version, first.version.sha256);
      for (let i = 0; i < ITERATIONS; i++) {
        const delay = Math.round(random() * publishMs * 1.5);
        const before = (await unary<{ versions: VersionInfoMessage[] }>(client, 'ListVersions', {}, READ_TOKEN)).versions.length;
        const outcome = unary<PublishResponseMessage>(client, 'Publish', { files: withClosure(base, wednesday(i)), reason: `iteration ${i}`, author: 'test' }, PUBLISH_TOKEN, 10_000).then(
          (r) => ({ ok: true as const, r }),
          (e: ServiceError) => ({ ok: false as const, e }),
        );
        await new Promise((r) => setTimeout(r, delay));
        proc.child.kill('SIGKILL');
        await proc.exited;
        const result = await outcome;
        if (result.ok) acknowledged.set(result.r.version.version, result.r.version.sha256);
        // The database recovers from its WAL and is intact.
        const db = new Database(join(dataDir, 'registry.db'));
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        db.close();
        proc = await start();
        const versions = (await unary<{ versions: VersionInfoMessage[] }>(client, 'ListVersions', {}, READ_TOKEN)).versions;
        const numbers = versions.map((v) => v.version).reverse();
        expect(numbers, `iteration ${i} (seed ${seed})`).toEqual(Array.from({ length: numbers.length }, (_, k) => k + 1));
        for (const [version, sha256] of acknowledged) expect(versions.find((v) => v.version === version)?.sha256, `acknowledged version ${version} (seed ${seed})`).toBe(sha256);
        for (const v of versions) {
          const s = await unary<SnapshotMessage>(client, 'GetVersion', { version: v.version }, READ_TOKEN);
          expect(verifySnapshot(s, publicKey, 'test').version).toBe(v.version);
        }
        if (result.ok) tally.acknowledged++;
        else if (versions.length > before) tally.committedUnacknowledged++;
        else tally.notCommitted++;
      }
      console.log(
        `kill -9 during publish (seed ${seed}, publish ≈ ${Math.round(publishMs)} ms, kill delay 0..${Math.round(publishMs * 1.5)} ms): ${ITERATIONS} iterations, ` +
          `${tally.acknowledged} acknowledged, ${tally.committedUnacknowledged} committed but not acknowledged, ${tally.notCommitted} not committed; ` +
          `${acknowledged.size} acknowledged versions all intact`,
      );
    } finally {
      client.close();
    }
  }, 180_000);
});
