/**
 * Acceptance of the etcd-backed registry under kill -9: a real 3-member etcd, two registry replicas
 * and two sidecars (real processes, each sidecar following both replicas). A bounded loop publishes
 * alternately through each replica; every KILL_EVERY-th publish a kill -9 hits the etcd leader or the
 * publishing replica, aimed with the test/drill hook --drill-publish-pause-ms (it logs
 * `publish_paused` with the phase, then blocks) at one of three points:
 *   before-txn    the replica is about to read the latest version and run the create transaction;
 *   after-commit  the transaction committed, the answer is not sent yet;
 *   after-answer  the publisher has its answer.
 * The killed process is restarted. After each kill every sidecar must converge on the latest version.
 * At the end every member of etcd, read on its own (serializable), holds every acknowledged version
 * exactly once with its audit row, versions 1..N with no gap, and all members agree byte for byte.
 */
import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackFileMessage, PublishResponseMessage, VersionInfoMessage } from '../../server/src/registry/registry-wire.js';
import { etcdKeys } from '../../server/src/registry/server/etcd-keys.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-cluster.js';
import { PUBLISH_TOKEN, READ_TOKEN, followerArgs, registryArgs, registryFixture, type RegistryFixture } from './registry-harness.js';
import { packFiles, registryClient, seededRandom, unary, wednesday } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

const PUBLISHES = 100;
const KILL_EVERY = 5;
/** The whole loop stops here even if PUBLISHES were not reached (and then fails, saying so). */
const LOOP_BUDGET_MS = 420_000;
/** Only has to outlast the time from the log line to the kill. */
const PAUSE_MS = 300;
const PREFIX = '/tplus/registry/';

type Aim = 'before-txn' | 'after-commit' | 'after-answer';
type Target = 'replica' | 'etcd-leader';
const AIMS: readonly Aim[] = ['before-txn', 'after-commit', 'after-answer'];
const TARGETS: readonly Target[] = ['replica', 'etcd-leader'];

/** The bundled pack with one more closure named after `i`: every publish has different content. */
function contentOf(base: readonly PackFileMessage[], i: number): PackFileMessage[] {
  const anchor = '    adhoc:\n';
  return base.map((f) =>
    f.path !== join('calendars', 'us.yaml')
      ? f
      : {
          path: f.path,
          content: Buffer.from(
            f.content
              .toString('utf8')
              .replace(
                anchor,
                `${anchor}      - { date: ${wednesday(i % 40)}, name: Chaos ${i}, closes_settlement: true, reason: "chaos" }\n`,
              ),
          ),
        },
  );
}

describe('etcd registry HA under kill -9 (3 etcd members, 2 replicas, 2 sidecars)', () => {
  let etcd: EtcdCluster;
  let fx: RegistryFixture;
  const replicas: TplusProcess[] = [];
  const ports: number[] = [];
  const sidecars: TplusProcess[] = [];

  const startReplica = async (i: number): Promise<void> => {
    const p = spawnTplus(
      registryArgs(
        fx,
        `127.0.0.1:${ports[i] ?? 0}`,
        [
          ...['--store', 'etcd', '--etcd-endpoints', etcd.endpoints, '--etcd-timeout-ms', '4000'],
          ...['--metrics-listen', 'off', '--heartbeat-ms', '300', '--drill-publish-pause-ms', String(PAUSE_MS)],
        ],
        join(fx.dir, `data-${i}`),
      ), // each replica its own data dir: a registry locks its data dir
    );
    replicas[i] = p;
    const address = String((await p.waitFor('registry_serving', undefined, 30_000))['address']);
    ports[i] = Number(address.slice(address.lastIndexOf(':') + 1));
  };
  const address = (i: number): string => `127.0.0.1:${ports[i]}`;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    etcd = await startEtcdCluster(3);
    await startReplica(0);
    await startReplica(1);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...sidecars, ...replicas].map((p) => p.stop('SIGKILL')));
    await etcd?.stop();
    fx?.remove();
  });

  it(`${PUBLISHES} publishes alternating replicas, a kill -9 every ${KILL_EVERY}th (etcd leader or replica, before the txn / after commit / after the answer): nothing acknowledged lost or duplicated, every member agrees, followers converge`, async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const base = packFiles(RULES_DIR);
    const clients = [registryClient(address(0), true), registryClient(address(1), true)];
    const acknowledged = new Map<number, string>();
    const landed: Record<string, number> = {};
    const started = Date.now();
    let kills = 0;
    let done = 0;
    const publish = (r: number, i: number) =>
      unary<PublishResponseMessage>(
        clients[r] as (typeof clients)[0],
        'Publish',
        { files: contentOf(base, i), reason: `chaos ${i}`, author: 'chaos' },
        PUBLISH_TOKEN,
        20_000,
      ).then(
        (res) => ({ ok: true as const, res }),
        (e: ServiceError) => ({ ok: false as const, e }),
      );
    const latestOn = async (r: number): Promise<number> =>
      (await unary<{ versions: VersionInfoMessage[] }>(clients[r] as (typeof clients)[0], 'ListVersions', {}, READ_TOKEN)).versions[0]
        ?.version ?? 0;
    try {
      // One publish first, so that the sidecars have a version to start from.
      const first = await publish(0, 0);
      expect(first.ok).toBe(true);
      if (first.ok) acknowledged.set(first.res.version.version, first.res.version.sha256);
      for (let s = 0; s < 2; s++)
        sidecars.push(
          spawnTplus(followerArgs(fx, `${address(0)},${address(1)}`, join(fx.dir, `sidecar-${s}`), ['--metrics-listen', 'off'])),
        );
      await Promise.all(sidecars.map((p) => p.waitFor('serving', undefined, 30_000)));
      for (let i = 1; i < PUBLISHES && Date.now() - started < LOOP_BUDGET_MS; i++) {
        const r = i % 2;
        const proc = replicas[r] as TplusProcess;
        const killing = i % KILL_EVERY === 0;
        const aim = AIMS[Math.floor(i / KILL_EVERY) % AIMS.length] as Aim;
        const target = TARGETS[Math.floor(i / (KILL_EVERY * AIMS.length)) % TARGETS.length] as Target;
        const seen = proc.logs.length;
        const leader = killing && target === 'etcd-leader' ? await etcd.leader() : -1;
        const outcome = publish(r, i);
        if (killing) {
          if (aim === 'after-answer') await outcome;
          else {
            const phase = aim === 'before-txn' ? 'before-commit' : 'after-commit';
            // A random extra delay inside the pause: the kill lands at a random instant of that window.
            await proc.waitFor('publish_paused', (l: LogLine) => l['phase'] === phase && proc.logs.indexOf(l) >= seen, 30_000);
            await new Promise((res) => setTimeout(res, Math.floor(random() * PAUSE_MS * 0.5)));
          }
          if (target === 'replica') {
            proc.child.kill('SIGKILL');
            await proc.exited;
          } else await etcd.kill(leader);
          kills++;
          landed[`${target}:${aim}`] = (landed[`${target}:${aim}`] ?? 0) + 1;
        }
        const result = await outcome;
        if (result.ok) {
          expect(acknowledged.has(result.res.version.version), `version ${result.res.version.version} acknowledged twice`).toBe(false);
          acknowledged.set(result.res.version.version, result.res.version.sha256);
        }
        if (killing && target === 'replica') {
          expect(result.ok, `a replica killed ${aim} (publish ${i}, seed ${seed})`).toBe(aim === 'after-answer');
          await startReplica(r);
          clients[r]?.close();
          clients[r] = registryClient(address(r), true);
        }
        if (killing && target === 'etcd-leader') await etcd.restart(leader);
        if (killing) {
          // Every follower converges on the latest version after each kill.
          const latest = await latestOn(1 - r);
          await Promise.all(sidecars.map((p) => p.waitFor('ruleset_active', (l) => Number(l['version']) >= latest, 30_000)));
        }
        done = i + 1;
      }
      const loopMs = Date.now() - started;
      console.log(
        `etcd chaos (seed ${seed}): ${done} publishes, ${acknowledged.size} acknowledged, ${kills} kills landed ${JSON.stringify(landed)}, loop ${Math.round(loopMs / 1000)} s`,
      );
      expect(done, `publishes done within ${LOOP_BUDGET_MS} ms`).toBeGreaterThanOrEqual(PUBLISHES);
      for (const t of TARGETS) for (const a of AIMS) expect(landed[`${t}:${a}`] ?? 0, `kills of ${t} at ${a}`).toBeGreaterThanOrEqual(1);
      // Every member, read on its own: versions 1..N, each with its audit row, acknowledged ones intact, all members equal.
      const keys = etcdKeys(PREFIX);
      const views: string[] = [];
      for (let m = 0; m < 3; m++) {
        const versions = await etcd.readPrefix(m, keys.versions);
        const audits = new Set((await etcd.readPrefix(m, keys.versionAudits)).map((kv) => kv.key));
        const numbers = versions.map((kv) => (JSON.parse(kv.value.toString()) as { version: number }).version);
        expect(numbers, `member ${m}`).toEqual(Array.from({ length: numbers.length }, (_, k) => k + 1));
        const shas = versions.map((kv) => (JSON.parse(kv.value.toString()) as { sha256: string }).sha256);
        expect(new Set(shas).size, `member ${m}: no document under two versions`).toBe(shas.length);
        for (const n of numbers) expect(audits.has(keys.versionAudit(n)), `member ${m}: audit of version ${n}`).toBe(true);
        for (const [v, sha] of acknowledged) expect(shas[v - 1], `member ${m}: acknowledged version ${v}`).toBe(sha);
        views.push(JSON.stringify(versions.map((kv) => [kv.key, kv.value.toString('base64')])));
      }
      expect(new Set(views).size, 'every member holds the same versions').toBe(1);
      // And the followers end on the last version.
      const last = await latestOn(0);
      await Promise.all(sidecars.map((p) => p.waitFor('ruleset_active', (l) => l['version'] === last, 30_000)));
    } finally {
      for (const c of clients) c.close();
    }
  }, 600_000);
});
