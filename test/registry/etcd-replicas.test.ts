/**
 * Two registry replicas (real `tplus registry --store etcd` processes) over one real 3-member etcd,
 * and a sidecar following both (`--registry a,b`): any replica publishes, every replica serves and
 * pushes every version, the sidecar fails over when its replica dies and resumes from what it holds.
 */
import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishResponseMessage, VersionInfoMessage } from '../../server/src/registry/registry-wire.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-cluster.js';
import { PUBLISH_TOKEN, READ_TOKEN, followerArgs, registryArgs, registryFixture, type RegistryFixture } from './registry-harness.js';
import { packFiles, registryClient, unary, wednesday, withClosure } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

describe('registry replicas over etcd (real processes)', () => {
  let etcd: EtcdCluster;
  let fx: RegistryFixture;
  const replicas: (TplusProcess | null)[] = [null, null];
  const addresses: string[] = [];
  let sidecar: TplusProcess | null = null;
  const base = packFiles(RULES_DIR);
  const activeAt = (v: number) => (l: LogLine) => l['version'] === v;

  const startReplica = async (i: number, port = 0): Promise<string> => {
    const p = spawnTplus(
      registryArgs(
        fx,
        `127.0.0.1:${port}`,
        ['--store', 'etcd', '--etcd-endpoints', etcd.endpoints, '--metrics-listen', 'off', '--heartbeat-ms', '200'],
        join(fx.dir, `data-${i}`),
      ), // each replica its own data dir: a registry locks its data dir
    );
    replicas[i] = p;
    return String((await p.waitFor('registry_serving'))['address']);
  };
  const publish = (address: string, n: number): Promise<PublishResponseMessage> => {
    const client = registryClient(address, true);
    return unary<PublishResponseMessage>(
      client,
      'Publish',
      { files: withClosure(base, wednesday(n)), reason: `publish ${n}`, author: 'test' },
      PUBLISH_TOKEN,
    ).finally(() => client.close());
  };
  const list = async (address: string): Promise<number[]> => {
    const client = registryClient(address, true);
    try {
      return (await unary<{ versions: VersionInfoMessage[] }>(client, 'ListVersions', {}, READ_TOKEN)).versions.map((v) => v.version);
    } finally {
      client.close();
    }
  };

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    etcd = await startEtcdCluster(3);
    addresses.push(await startReplica(0), await startReplica(1));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sidecar?.stop('SIGKILL'), ...replicas.map((r) => r?.stop('SIGKILL'))]);
    await etcd?.stop();
    fx?.remove();
  });

  it('a version published on either replica is served by both; the sidecar follows both and fails over', async () => {
    const [a, b] = addresses as [string, string];
    expect((await publish(a, 0)).version.version).toBe(1);
    sidecar = spawnTplus(followerArgs(fx, `${a},${b}`, join(fx.dir, 'sidecar'), ['--metrics-listen', 'off']));
    await sidecar.waitFor('ruleset_active', activeAt(1));
    // Published on B, pushed by A (the sidecar's replica learns it from the etcd watch).
    expect((await publish(b, 1)).version.version).toBe(2);
    await sidecar.waitFor('ruleset_active', activeAt(2));
    expect(await list(a)).toEqual([2, 1]);
    expect(await list(b)).toEqual([2, 1]);
    // A dies: the sidecar moves to B and resumes from version 2.
    await replicas[0]?.stop('SIGKILL');
    expect((await publish(b, 2)).version.version).toBe(3);
    await sidecar.waitFor('ruleset_active', activeAt(3), 30_000);
    // A comes back on its port, B dies: the sidecar moves back to A.
    await startReplica(0, Number(a.slice(a.lastIndexOf(':') + 1)));
    await replicas[1]?.stop('SIGKILL');
    expect((await publish(a, 3)).version.version).toBe(4);
    await sidecar.waitFor('ruleset_active', activeAt(4), 30_000);
    addresses[1] = await startReplica(1, Number(b.slice(b.lastIndexOf(':') + 1)));
    expect(await list(addresses[1])).toEqual([4, 3, 2, 1]);
  }, 120_000);

  it('the loser of a race between replicas gets FAILED_PRECONDITION naming the winner; no version is created twice', async () => {
    const [a, b] = addresses as [string, string];
    const before = (await list(a))[0] ?? 0;
    const results = await Promise.all(
      [a, b, a, b].map((addr, i) =>
        publish(addr, 10 + i).then(
          (r) => ({ ok: true as const, v: r.version.version }),
          (e: ServiceError) => ({ ok: false as const, e }),
        ),
      ),
    );
    const created = results.flatMap((r) => (r.ok ? [r.v] : []));
    expect(new Set(created).size).toBe(created.length);
    for (const r of results) {
      if (r.ok) continue;
      expect(r.e.code, r.e.details).toBe(9);
      expect(r.e.details).toMatch(/another registry replica created version \d+ first/);
    }
    console.log(`4 concurrent publishes over 2 replicas: ${created.length} created, ${results.length - created.length} lost the race`);
    const after = await list(b);
    expect(after[0]).toBe(before + created.length);
    expect(after).toEqual(Array.from({ length: after.length }, (_, k) => after.length - k));
  }, 60_000);

  it('a relay given both replicas (--upstream a,b) fails over too and replicates every version in order', async () => {
    const [a, b] = addresses as [string, string];
    const relay = spawnTplus([
      'registry',
      ...['--upstream', `${a},${b}`, '--upstream-public-key', fx.keys.publicKeyFile, '--upstream-token-file', fx.readTokenFile],
      ...['--data-dir', join(fx.dir, 'relay'), '--listen', '127.0.0.1:0', '--metrics-listen', 'off', '--tokens', fx.tokensFile],
    ]);
    try {
      const relayAddress = String((await relay.waitFor('registry_serving'))['address']);
      const latest = (await list(a))[0] ?? 0;
      await relay.waitFor('version_replicated', activeAt(latest), 30_000);
      await replicas[0]?.stop('SIGKILL');
      const next = (await publish(b, 20)).version.version;
      await relay.waitFor('version_replicated', activeAt(next), 30_000);
      expect(relay.logs.some((l) => l['event'] === 'registry_failover' && l['from'] === a)).toBe(true);
      expect(await list(relayAddress)).toEqual(Array.from({ length: next }, (_, k) => next - k));
    } finally {
      await relay.stop('SIGKILL');
      addresses[0] = await startReplica(0, Number(a.slice(a.lastIndexOf(':') + 1)));
    }
  }, 90_000);

  it('two etcd members down: a publish fails UNAVAILABLE naming the endpoints and nothing is half-written; back up, publishing resumes', async () => {
    const [a, b] = addresses as [string, string];
    const before = await list(a);
    await etcd.kill(1);
    await etcd.kill(2);
    const failed = await publish(b, 30).then(
      () => null,
      (e: ServiceError) => e,
    );
    expect(failed?.code).toBe(14);
    expect(failed?.details).toContain(`the registry's etcd store (${etcd.endpoints})`);
    expect(failed?.details).toContain('a majority of etcd members must be up');
    await etcd.restart(1);
    await etcd.restart(2);
    const next = (before[0] ?? 0) + 1;
    for (let m = 0; m < 3; m++) {
      const held = (await etcd.readPrefix(m, '/tplus/registry/')).map((kv) => kv.key);
      expect(held.filter((k) => k.startsWith('/tplus/registry/versions/')).length, `member ${m}`).toBe(before.length);
      expect(held.filter((k) => k.startsWith('/tplus/registry/audit/versions/')).length, `member ${m}`).toBe(before.length);
    }
    expect((await publish(a, 31)).version.version).toBe(next);
    await sidecar?.waitFor('ruleset_active', activeAt(next), 30_000);
  }, 120_000);
});
