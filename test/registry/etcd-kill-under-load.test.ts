/**
 * A registry replica (a real `tplus registry --store etcd` process, the default --etcd-timeout-ms)
 * over a real 3-member etcd, published to and read from without pause while etcd members are killed
 * (SIGKILL) and restarted: first the leader, then a follower. No call may fail while a majority is up,
 * and a Watch stream opened before it all hears every acknowledged version.
 */
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishResponseMessage, VersionInfoMessage, WatchEventMessage } from '../../server/src/registry/registry-wire.js';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-cluster.js';
import { PUBLISH_TOKEN, READ_TOKEN, registryArgs, registryFixture, type RegistryFixture } from './registry-harness.js';
import { packFiles, registryClient, unary, watch, wednesday, withClosure } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

/** Publishes, one after the other; each has new content (one more closure). */
const PUBLISHES = 36;
/**
 * Which member is killed before which publish (that publish is in flight as the kill lands), and
 * restarted before which: the leader and a follower in turn, five times.
 */
const KILLS = Array.from({ length: 5 }, (_, k) => ({ aim: k % 2 === 0 ? 'leader' : 'follower', killAt: 6 * k + 3, restartAt: 6 * k + 6 }));
/** Readers side by side with the publishes, and the most reads each makes. */
const READERS = 3;
const MAX_READS = 200;
/** Everything stops here even if not done (and then fails, saying so). */
const LOOP_BUDGET_MS = 120_000;

describe('a registry replica over etcd while etcd members are killed under load (real processes)', () => {
  let etcd: EtcdCluster;
  let fx: RegistryFixture;
  let registry: TplusProcess | null = null;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    etcd = await startEtcdCluster(3);
    registry = spawnTplus(
      registryArgs(fx, '127.0.0.1:0', [
        '--store',
        'etcd',
        '--etcd-endpoints',
        etcd.endpoints,
        '--metrics-listen',
        'off',
        '--heartbeat-ms',
        '200',
      ]),
    );
    await registry.waitFor('registry_serving');
  }, 120_000);

  afterAll(async () => {
    await registry?.stop('SIGKILL');
    await etcd?.stop();
    fx?.remove();
  });

  it(`${PUBLISHES} publishes and up to ${READERS * MAX_READS} reads while the etcd leader or a follower is killed and restarted (5 times): no call fails, the Watch hears every version`, async () => {
    const address = String((await (registry as TplusProcess).waitFor('registry_serving'))['address']);
    const [writer, watcher] = [registryClient(address, true), registryClient(address, true)];
    const readers = Array.from({ length: READERS }, () => registryClient(address, true));
    const base = packFiles(RULES_DIR);
    const failures: string[] = [];
    const acknowledged: number[] = [];
    const heard: number[] = [];
    const started = Date.now();
    const inBudget = (): boolean => Date.now() - started < LOOP_BUDGET_MS;
    let stream: ClientReadableStream<WatchEventMessage> | null = null;
    let publishing = true;
    let reads = 0;
    try {
      stream = watch(watcher, 0, READ_TOKEN);
      stream.on('data', (e: WatchEventMessage) => {
        if (e.snapshot) heard.push(Number(e.snapshot.version));
      });
      stream.on('error', (e: ServiceError) => failures.push(`watch: ${e.message}`));
      const readLoop = async (r: number): Promise<void> => {
        const reader = readers[r] as (typeof readers)[0];
        for (let n = 0; publishing && n < MAX_READS && inBudget(); n++, reads++) {
          const latest = acknowledged.at(-1) ?? 0;
          const call =
            n % 2 === 0 || latest === 0
              ? unary<{ versions: VersionInfoMessage[] }>(reader, 'ListVersions', {}, READ_TOKEN)
              : unary<object>(reader, 'GetVersion', { version: latest }, READ_TOKEN);
          await call.catch((e: ServiceError) => failures.push(`reader ${r} read ${n}: ${e.message}`));
        }
      };
      const reading = Promise.all(readers.map((_, r) => readLoop(r)));
      let done = 0;
      const victims = new Map<number, number>();
      for (let i = 0; i < PUBLISHES && inBudget(); i++) {
        for (const k of KILLS) if (k.restartAt === i) await etcd.restart(victims.get(k.killAt) ?? -1);
        const call = unary<PublishResponseMessage>(
          writer,
          'Publish',
          { files: withClosure(base, wednesday(i)), reason: `under load ${i}`, author: 'load' },
          PUBLISH_TOKEN,
        );
        const kill = KILLS.find((k) => k.killAt === i);
        if (kill) {
          const leader = await etcd.leader();
          const victim = kill.aim === 'leader' ? leader : (leader + 1) % 3;
          victims.set(kill.killAt, victim);
          await etcd.kill(victim);
        }
        await call.then(
          (res) => acknowledged.push(res.version.version),
          (e: ServiceError) => failures.push(`publish ${i}: ${e.message}`),
        );
        done = i + 1;
      }
      publishing = false;
      await reading;
      const deadline = Date.now() + 10_000;
      while (heard.length < acknowledged.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      console.log(
        `etcd kill under load: ${done} publishes, ${reads} reads in ${Date.now() - started} ms, ${failures.length} failed${failures.length ? `; first: ${failures[0]}` : ''}`,
      );
      expect(done, `publishes done within ${LOOP_BUDGET_MS} ms`).toBe(PUBLISHES);
      expect(failures).toEqual([]);
      expect(acknowledged).toEqual(Array.from({ length: PUBLISHES }, (_, k) => k + 1));
      expect(heard).toEqual(acknowledged);
    } finally {
      publishing = false;
      stream?.cancel();
      for (const c of [writer, watcher, ...readers]) c.close();
    }
  }, 240_000);
});
