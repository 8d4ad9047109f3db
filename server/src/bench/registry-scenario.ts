import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { Client, credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { authMetadata, grpcTarget, registryServiceDefinition } from '../registry/index.js';
import type { PackFileMessage, WatchEventMessage } from '../registry/index.js';
import { verifySignedSnapshot } from '../sync/index.js';
import { stats, type Stats } from './measure.js';

export const BENCH_TOKEN = 'bench-publish-token-0123456789';

/** One Publish call with the bench token (60 s deadline). */
export function publish(client: Client, files: PackFileMessage[], reason: string): Promise<unknown> {
  const m = registryServiceDefinition()['Publish'];
  if (!m) throw new Error('Publish');
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      { files, reason, author: 'bench' },
      authMetadata(BENCH_TOKEN),
      { deadline: Date.now() + 60_000 },
      (e: ServiceError | null, v?: unknown) => (e ? reject(e) : resolve(v)),
    ),
  );
}

/** The bundled pack plus one XNYS settlement closure on `date` (a new version each time). */
export function withClosure(files: PackFileMessage[], date: string): PackFileMessage[] {
  return files.map((f) =>
    f.path === join('calendars', 'us.yaml')
      ? {
          path: f.path,
          content: Buffer.from(
            f.content
              .toString('utf8')
              .replace(
                '    adhoc:\n',
                `    adhoc:\n      - { date: ${date}, name: Bench closure, closes_settlement: true, reason: bench }\n`,
              ),
          ),
        }
      : f,
  );
}

export interface ScenarioResult {
  /** Followers → time from sending Publish to the last follower holding the new version. */
  readonly converged: Map<number, Stats>;
  /** Time from sending Publish to its answer, over every timed publish. */
  readonly publish: Stats;
}

/**
 * Against the registry at `address` (already holding no version): one base publish, then for each
 * follower count N, N Watch clients (each on a connection of its own, verifying sha256 and signature
 * like a sidecar) and `repetitions` timed publishes, each until every follower holds it.
 */
export async function registryScenario(
  address: string,
  publicKey: KeyObject,
  base: PackFileMessage[],
  followerCounts: readonly number[],
  repetitions: number,
): Promise<ScenarioResult> {
  const publisher = new Client(grpcTarget(address), credentials.createInsecure());
  const converged = new Map<number, Stats>();
  const publishTimes: number[] = [];
  let closure = 0;
  try {
    await publish(publisher, base, 'bench base');
    for (const followers of followerCounts) {
      let target = 0;
      let done: (() => void) | null = null;
      const held: number[] = new Array<number>(followers).fill(0);
      const clients: Client[] = [];
      const streams: ClientReadableStream<WatchEventMessage>[] = [];
      const m = registryServiceDefinition()['Watch'];
      if (!m) throw new Error('Watch');
      for (let i = 0; i < followers; i++) {
        const c = new Client(grpcTarget(address), credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
        const s = c.makeServerStreamRequest(
          m.path,
          m.requestSerialize,
          m.responseDeserialize,
          { sinceVersion: 0 },
          authMetadata(null),
          {},
        ) as ClientReadableStream<WatchEventMessage>;
        s.on('data', (e: WatchEventMessage) => {
          if (!e.snapshot) return;
          verifySignedSnapshot(e.snapshot, publicKey);
          held[i] = e.snapshot.version;
          if (done && held.every((v) => v >= target)) done();
        });
        s.on('error', () => undefined);
        clients.push(c);
        streams.push(s);
      }
      const all = (version: number, timeoutMs: number): Promise<void> =>
        new Promise((resolve, reject) => {
          target = version;
          done = resolve;
          if (held.every((v) => v >= version)) resolve();
          setTimeout(() => reject(new Error(`${followers} followers did not reach version ${version}`)), timeoutMs).unref();
        });
      await all(Math.max(1, ...held), 30_000);
      const times: number[] = [];
      for (let r = 0; r < repetitions; r++) {
        const next = Math.max(...held) + 1;
        const reached = all(next, 30_000);
        const t0 = performance.now();
        await publish(publisher, withClosure(base, `2031-0${1 + (closure % 9)}-1${closure % 2}`), `bench ${followers}`);
        publishTimes.push(performance.now() - t0);
        closure++;
        await reached;
        times.push(performance.now() - t0);
      }
      streams.forEach((s) => s.cancel());
      clients.forEach((c) => c.close());
      converged.set(followers, stats(times));
    }
  } finally {
    publisher.close();
  }
  return { converged, publish: stats(publishTimes) };
}
