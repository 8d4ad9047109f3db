import { join } from 'node:path';
import type { Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { PublishResponseMessage, WatchEventMessage } from '../../server/src/registry/registry-wire.js';
import { readPublicKey } from '../../server/src/registry/signing-keys.js';
import { verifySignedSnapshot } from '../../server/src/sync/verify-snapshot.js';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { PUBLISH_TOKEN, READ_TOKEN, registryFixture } from './registry-harness.js';
import { packFiles, registryClient, unary, watch, wednesday, withClosure } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

const WATCHERS = 100;

/** A lightweight watcher: one Watch stream on a connection of its own; verifies every snapshot (sha256 + signature). */
interface Watcher {
  readonly client: Client;
  readonly stream: ClientReadableStream<WatchEventMessage>;
  version: number;
  verifiedAt: number;
  rejected: number;
}

describe('simulated fan-out: one registry process, 100 Watch clients', () => {
  const fx = registryFixture();
  let registry: TplusProcess | null = null;
  const watchers: Watcher[] = [];
  afterAll(async () => {
    for (const w of watchers) {
      w.stream.cancel();
      w.client.close();
    }
    await registry?.stop('SIGTERM');
    fx.remove();
  });

  it(`all ${WATCHERS} watchers hold a new version soon after it is published; the time is reported`, async () => {
    buildServer();
    const socket = join(fx.dir, 'registry.sock');
    const proc = (registry = spawnTplus([
      'registry',
      '--data-dir',
      join(fx.dir, 'data'),
      '--listen',
      `unix:${socket}`,
      '--signing-key',
      fx.keys.privateKeyFile,
      '--tokens',
      fx.tokensFile,
      '--metrics-listen',
      'off',
    ]));
    await proc.waitFor('registry_serving');
    const publicKey = readPublicKey(fx.keys.publicKeyFile);
    const publisher = registryClient(`unix:${socket}`);
    const base = packFiles(RULES_DIR);
    try {
      await unary(publisher, 'Publish', { files: base, reason: 'initial', author: 'test' }, PUBLISH_TOKEN);
      let waiting: { version: number; resolve: () => void } | null = null;
      const holding = (version: number): number => watchers.filter((w) => w.version >= version).length;
      for (let i = 0; i < WATCHERS; i++) {
        const client = registryClient(`unix:${socket}`, true);
        const w: Watcher = {
          client,
          stream: null as unknown as ClientReadableStream<WatchEventMessage>,
          version: 0,
          verifiedAt: 0,
          rejected: 0,
        };
        const stream = ((w as { stream: ClientReadableStream<WatchEventMessage> }).stream = watch(client, 0, READ_TOKEN));
        stream.on('data', (e: WatchEventMessage) => {
          if (!e.snapshot) return;
          try {
            verifySignedSnapshot(e.snapshot, publicKey);
          } catch {
            w.rejected++;
            return;
          }
          w.version = e.snapshot.version;
          w.verifiedAt = performance.now();
          if (waiting && holding(waiting.version) === WATCHERS) waiting.resolve();
        });
        stream.on('error', (e: ServiceError) => {
          if (e.code !== 1) w.rejected++;
        });
        watchers.push(w);
      }
      // Every watcher is connected and holds version 1.
      await new Promise<void>((resolve, reject) => {
        waiting = { version: 1, resolve };
        if (holding(1) === WATCHERS) resolve();
        setTimeout(() => reject(new Error(`only ${holding(1)} watchers got version 1`)), 20_000).unref();
      });
      const converged = new Promise<void>((resolve, reject) => {
        waiting = { version: 2, resolve };
        setTimeout(() => reject(new Error(`only ${holding(2)} of ${WATCHERS} watchers got version 2 within 10 s`)), 10_000).unref();
      });
      const sent = performance.now();
      const res = await unary<PublishResponseMessage>(
        publisher,
        'Publish',
        { files: withClosure(base, wednesday(0)), reason: 'fan-out', author: 'test' },
        PUBLISH_TOKEN,
      );
      const acked = performance.now();
      await converged;
      const last = Math.max(...watchers.map((w) => w.verifiedAt));
      const committedAt = Date.parse(String((await proc.waitFor('version_published', (l) => l['version'] === 2))['time']));
      const commitToLast = Date.now() - (performance.now() - last) - committedAt;
      console.log(
        `fan-out to ${WATCHERS} watchers (one connection each): commit → last watcher verified ${Math.round(commitToLast)} ms; ` +
          `publish call sent → last ${Math.round(last - sent)} ms (the registry compiles the pack in ${Math.round(acked - sent)} ms of that)`,
      );
      expect(res.version.version).toBe(2);
      expect(watchers.every((w) => w.rejected === 0)).toBe(true);
      expect(commitToLast).toBeLessThan(1_000);
    } finally {
      publisher.close();
    }
  }, 60_000);
});
