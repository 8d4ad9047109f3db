import { join } from 'node:path';
import { Client, credentials, Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { followerArgs, PUBLISH_TOKEN, registryArgs, registryFixture } from './registry-harness.js';
import { packFiles, registryClient, unary } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

const health = loadSync(healthProtoPath, { enums: String, defaults: true })['grpc.health.v1.Health'] as ServiceDefinition;

/** The overall health status, or the gRPC failure ("UNAVAILABLE: ...") when nothing answers. */
async function check(socket: string): Promise<string> {
  const client = new Client(`unix://${socket}`, credentials.createInsecure());
  const m = health['Check'] as ServiceDefinition[string];
  try {
    return await new Promise((resolve) =>
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        { service: '' },
        new Metadata(),
        { deadline: Date.now() + 1_000 },
        (err, res) => resolve(err ? `error ${err.code}` : String((res as Record<string, unknown>)['status'])),
      ),
    );
  } finally {
    client.close();
  }
}

/** `count` checks, `everyMs` apart. */
async function sample(socket: string, count: number, everyMs: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await check(socket));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return out;
}

describe('readiness of a following sidecar: SERVING only once it has ever loaded a ruleset', () => {
  const fx = registryFixture();
  const procs: TplusProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    fx.remove();
  });

  it('never SERVING before a first ruleset; stays SERVING with a good one while the registry is gone, and after a restart', async () => {
    buildServer();
    const socket = join(fx.dir, 'registry.sock');
    const registryCommand = registryArgs(fx, `unix:${socket}`, ['--metrics-listen', 'off', '--heartbeat-ms', '200']);
    const registry = spawnTplus(registryCommand);
    procs.push(registry);
    await registry.waitFor('registry_serving');
    const dir = join(fx.dir, 'sidecar');
    const sidecarSocket = join(dir, 's.sock');
    const sidecarArgs = followerArgs(fx, `unix:${socket}`, dir, ['--metrics-listen', 'off', '--registry-start-timeout-ms', '1500']);

    // The registry has no version: the sidecar never reports SERVING, and gives up after its start timeout.
    const empty = spawnTplus(sidecarArgs);
    procs.push(empty);
    await empty.waitFor('following_registry');
    const before = await sample(sidecarSocket, 5, 100);
    expect(before.filter((s) => s === 'SERVING')).toEqual([]);
    expect(await empty.exited).toBe(1);
    expect(empty.logs.map((l) => l['event'])).not.toContain('serving');

    // Once a version exists it loads it and is SERVING.
    const publisher = registryClient(`unix:${socket}`);
    await unary(publisher, 'Publish', { files: packFiles(RULES_DIR), reason: 'initial', author: 'test' }, PUBLISH_TOKEN);
    publisher.close();
    let sidecar = spawnTplus(sidecarArgs);
    procs.push(sidecar);
    await sidecar.waitFor('serving');
    expect(await check(sidecarSocket)).toBe('SERVING');

    // The registry dies: the last good ruleset keeps it SERVING.
    registry.child.kill('SIGKILL');
    await registry.exited;
    await sidecar.waitFor('registry_watch_failed');
    expect(await sample(sidecarSocket, 10, 100)).toEqual(Array(10).fill('SERVING'));

    // Restarted while the registry is still down: it has loaded a ruleset before (its local copy), so SERVING at once.
    await sidecar.stop('SIGTERM');
    sidecar = spawnTplus(sidecarArgs);
    procs.push(sidecar);
    expect((await sidecar.waitFor('serving'))['rulesetVersion']).toBe(1);
    expect(await sample(sidecarSocket, 5, 100)).toEqual(Array(5).fill('SERVING'));
  }, 60_000);
});
