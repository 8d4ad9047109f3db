import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { packFiles } from '../registry/index.js';
import { authMetadata, grpcTarget, registryServiceDefinition } from '../registry/index.js';
import type { PackFileMessage, WatchEventMessage } from '../registry/index.js';
import { generateSigningKeys, readPublicKey } from '../registry/index.js';
import { verifySignedSnapshot } from '../sync/index.js';
import { stats, type BenchResult } from './measure.js';
import { ServerProcess } from './server-process.js';

const TPLUS_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const TOKEN = 'bench-publish-token-0123456789';

function publish(client: Client, files: PackFileMessage[], reason: string): Promise<unknown> {
  const m = registryServiceDefinition()['Publish'];
  if (!m) throw new Error('Publish');
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      { files, reason, author: 'bench' },
      authMetadata(TOKEN),
      { deadline: Date.now() + 60_000 },
      (e: ServiceError | null, v?: unknown) => (e ? reject(e) : resolve(v)),
    ),
  );
}

/** The bundled pack plus one XNYS settlement closure on `date` (a new version each time). */
function withClosure(files: PackFileMessage[], date: string): PackFileMessage[] {
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

/**
 * Publish-to-converged: N Watch clients, each on a connection of its own and verifying sha256 and
 * signature like a sidecar, against one registry process; the time from sending Publish to the last
 * follower holding the new version, for N = 1, 10, 100 (ratio to N = 1 in the same run).
 */
export async function registryBench(repetitions: number, log: (line: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-registry-bench-'));
  const keys = generateSigningKeys(join(dir, 'keys'));
  writeFileSync(join(dir, 'tokens'), `publish ${TOKEN}\n`);
  const socket = join(dir, 'registry.sock');
  const registry = await ServerProcess.start(
    [
      TPLUS_MAIN,
      'registry',
      '--data-dir',
      join(dir, 'data'),
      '--listen',
      `unix:${socket}`,
      '--signing-key',
      keys.privateKeyFile,
      '--tokens',
      join(dir, 'tokens'),
      '--metrics-listen',
      'off',
    ],
    { socket },
  );
  const publicKey = readPublicKey(keys.publicKeyFile);
  const publisher = new Client(grpcTarget(`unix:${socket}`), credentials.createInsecure());
  const base = packFiles(RULES);
  const medians = new Map<number, ReturnType<typeof stats>>();
  let closure = 0;
  try {
    await publish(publisher, base, 'bench base');
    for (const followers of [1, 10, 100]) {
      let target = 0;
      let done: (() => void) | null = null;
      const held: number[] = new Array<number>(followers).fill(0);
      const clients: Client[] = [];
      const streams: ClientReadableStream<WatchEventMessage>[] = [];
      const m = registryServiceDefinition()['Watch'];
      if (!m) throw new Error('Watch');
      for (let i = 0; i < followers; i++) {
        const c = new Client(grpcTarget(`unix:${socket}`), credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
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
      await all(1, 30_000);
      const times: number[] = [];
      for (let r = 0; r < repetitions; r++) {
        const next = Math.max(...held) + 1;
        const converged = all(next, 30_000);
        const t0 = performance.now();
        await publish(publisher, withClosure(base, `2031-0${1 + (closure % 9)}-1${closure % 2}`), `bench ${followers}`);
        closure++;
        await converged;
        times.push(performance.now() - t0);
      }
      streams.forEach((s) => s.cancel());
      clients.forEach((c) => c.close());
      const s = stats(times);
      medians.set(followers, s);
      log(
        `registry publish → ${followers} follower(s) verified: median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`,
      );
    }
  } finally {
    publisher.close();
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const one = medians.get(1);
  if (!one) return [];
  return [...medians].map(([n, s]) => ({
    name: `registry publish-to-converged, ${n} follower(s)`,
    unit: 'ms',
    value: s.median,
    min: s.min,
    max: s.max,
    baselineName: 'registry publish-to-converged, 1 follower',
    baselineValue: one.median,
    ratio: s.median / one.median,
    repetitions,
  }));
}
