/**
 * Issue 13: a Watch client that never reads is dropped once the bytes waiting for it pass the bound,
 * instead of grpc-js buffering every new version for it forever. A real `tplus registry` child process
 * on 127.0.0.1:0 with its default bound, a raw grpc-js client that pauses its stream, real publishes.
 */
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { WatchEventMessage } from '../../server/src/registry/registry-wire.js';
import { DEFAULT_WATCH_BUFFER_BYTES } from '../../server/src/registry/server/watch-hub.js';
import { sleep } from '../integration/sidecar-harness.js';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { PUBLISH_TOKEN, READ_TOKEN, registryArgs, registryFixture } from './registry-harness.js';
import { packFiles, registryClient, unary, watch, wednesday, withClosure } from './registry-client.js';
import { metricValue, scrape } from './registry-probes.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

/** Bounds of the publish loop: count and time. ~20 bundled snapshots fill the default 8 MiB. */
const MAX_PUBLISHES = 60;
const MAX_LOOP_MS = 90_000;
const DROPPED = 'tplus_registry_watch_dropped_total{reason="slow_consumer"}';

describe('Watch drops a client that stops reading (real registry process on 127.0.0.1:0)', () => {
  const fx = registryFixture();
  const clients: Client[] = [];
  let registry: TplusProcess | null = null;
  afterAll(async () => {
    for (const c of clients) c.close();
    await registry?.stop('SIGKILL');
    fx.remove();
  });

  it('the default bound holds several snapshots of the bundled pack', () => {
    const snapshotBytes = packFiles(RULES_DIR).reduce((n, f) => n + f.content.length, 0);
    expect(DEFAULT_WATCH_BUFFER_BYTES).toBeGreaterThan(4 * 1024 * 1024);
    expect(DEFAULT_WATCH_BUFFER_BYTES).toBeGreaterThan(10 * snapshotBytes);
  });

  it('drops the paused watcher with RESOURCE_EXHAUSTED (seen once it reads), counts and logs it; a reading watcher keeps up', async () => {
    buildServer();
    registry = spawnTplus(registryArgs(fx, '127.0.0.1:0', ['--metrics-listen', '127.0.0.1:0', '--heartbeat-ms', '1000']));
    const serving = await registry.waitFor('registry_serving');
    const address = String(serving['address']);
    const metricsUrl = `http://${String(serving['metrics'])}/metrics`;
    const [publisher, stuckClient, readingClient] = [
      registryClient(address, true),
      registryClient(address, true),
      registryClient(address, true),
    ];
    clients.push(publisher, stuckClient, readingClient);
    const base = packFiles(RULES_DIR);
    await unary(publisher, 'Publish', { files: base, reason: 'v1', author: 'test' }, PUBLISH_TOKEN);

    const stuck = watch(stuckClient, 0, READ_TOKEN);
    // Reads, then stops: grpc-js fills the stream's buffer (16 messages) and then stops reading from HTTP/2,
    // so flow control pushes back on the registry as for a client that hangs. (A client that never starts
    // reading is buffered by grpc-js itself, in the client's memory.)
    stuck.on('data', () => undefined);
    stuck.pause();
    const stuckEnd = new Promise<ServiceError>((resolve) => stuck.once('error', (e: ServiceError) => resolve(e)));
    const reading = watch(readingClient, 0, READ_TOKEN);
    let readVersion = 0;
    reading.on('data', (e: WatchEventMessage) => (readVersion = e.snapshot?.version ?? readVersion));
    reading.on('error', () => undefined);

    const started = Date.now();
    let published = 1;
    while (published < MAX_PUBLISHES && Date.now() - started < MAX_LOOP_MS && metricValue(await scrape(metricsUrl), DROPPED) === 0) {
      await unary(
        publisher,
        'Publish',
        { files: withClosure(base, wednesday(published)), reason: `v${published + 1}`, author: 'test' },
        PUBLISH_TOKEN,
      );
      published++;
      // Paced so the reading watcher keeps up (this process decodes every snapshot it gets): bounded wait.
      for (let i = 0; i < 250 && readVersion < published; i++) await sleep(20);
    }
    expect(metricValue(await scrape(metricsUrl), DROPPED), `not dropped after ${published} versions`).toBe(1);
    const logged = await registry.waitFor('watch_dropped');
    expect(logged).toMatchObject({ level: 'warn', reason: 'slow_consumer' });
    expect(Number(logged['bufferedBytes'])).toBeGreaterThan(DEFAULT_WATCH_BUFFER_BYTES / 2);
    expect(published).toBeGreaterThan(8); // a bound above a handful of snapshots

    stuck.resume(); // finally reads: what was buffered, then the status
    const err = await Promise.race([stuckEnd, sleep(30_000).then(() => null)]);
    if (err === null) throw new Error('the paused watcher never got a status');
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(err.details).toContain('reconnect to resume');

    for (let i = 0; i < 250 && readVersion < published; i++) await sleep(20);
    expect(readVersion).toBe(published); // the reading watcher got every version and was not dropped
    expect(metricValue(await scrape(metricsUrl), DROPPED)).toBe(1);
  }, 150_000);
});
