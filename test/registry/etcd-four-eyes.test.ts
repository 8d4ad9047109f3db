/**
 * Four-eyes publishing over etcd: two registry replicas (real `tplus registry --store etcd
 * --require-approval` processes) over one real 3-member etcd, and a sidecar following both. A pending
 * version published on one replica is listed by the other, never reaches the sidecar, may not be
 * approved by its author, and once approved on the other replica is one version (its pending key gone
 * in the same transaction) that the sidecar installs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdKeys } from '../../server/src/registry/server/etcd-keys.js';
import type { SnapshotMessage } from '../../server/src/registry/registry-wire.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-cluster.js';
import { registryClient, unary } from './registry-client.js';
import { followerArgs, READ_TOKEN, registryArgs, registryFixture, type RegistryFixture } from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

const ALICE = 'alice-publish-token-0123';
const BOB = 'bob-approve-token-0123';
const at = (version: number) => (l: LogLine) => l['version'] === version;

describe('four-eyes publishing over etcd (real processes: two replicas, 3-member etcd, a sidecar)', () => {
  let etcd: EtcdCluster;
  let fx: RegistryFixture;
  const procs: TplusProcess[] = [];
  const addresses: string[] = [];
  const keys = etcdKeys();
  const token = (who: string): string => join(fx.dir, `${who}.token`);
  const tplus = (...args: string[]) => runTplus(args);

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    writeFileSync(fx.tokensFile, `publish alice ${ALICE}\npublish,approve bob ${BOB}\nread reader ${READ_TOKEN}\n`);
    writeFileSync(token('alice'), `${ALICE}\n`);
    writeFileSync(token('bob'), `${BOB}\n`);
    etcd = await startEtcdCluster(3);
    for (let i = 0; i < 2; i++) {
      const extra = ['--store', 'etcd', '--etcd-endpoints', etcd.endpoints, '--metrics-listen', 'off', '--heartbeat-ms', '200'];
      const p = spawnTplus(registryArgs(fx, '127.0.0.1:0', [...extra, '--require-approval'], join(fx.dir, `data-${i}`)));
      procs.push(p);
      const serving = await p.waitFor('registry_serving');
      expect(serving['requireApproval']).toBe(true);
      addresses.push(String(serving['address']));
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await etcd?.stop();
    fx?.remove();
  });

  it('pending on one replica, listed by the other, never sent; the author may not approve; bob approves on the other: one version the sidecar installs', async () => {
    const [a, b] = addresses as [string, string];
    const sidecar = spawnTplus(followerArgs(fx, `${b},${a}`, join(fx.dir, 'sidecar'), ['--metrics-listen', 'off']));
    procs.push(sidecar);
    await sidecar.waitFor('following_registry');

    const out = await tplus('publish', '--registry', a, '--token-file', token('alice'), '--rules', RULES_DIR, '--reason', 'first pack');
    expect(out.code, out.output).toBe(0);
    expect(out.output).toMatch(/^pending: pending version 1 sha256 [0-9a-f]{64} awaits approval/m);
    const listed = await tplus('pending', '--registry', b, '--token-file', fx.readTokenFile, '--json');
    expect(listed.code, listed.output).toBe(0);
    expect(JSON.parse(listed.output.trim()) as { id: number; author: string }).toMatchObject({ id: 1, author: 'alice' });
    for (let m = 0; m < 3; m++) expect((await etcd.readPrefix(m, keys.versions)).length, `member ${m}: versions`).toBe(0);

    const own = await tplus('approve', '--registry', b, '--token-file', token('alice'), '--pending', '1');
    expect(own.code).toBe(1);
    expect(own.output).toMatch(/PERMISSION_DENIED: alice .*may not do this; it needs the approve role/);
    // bob publishes too: his own pending version he may not approve (PERMISSION_DENIED naming both).
    const bobs = await tplus('publish', '--registry', b, '--token-file', token('bob'), '--rules', RULES_DIR, '--reason', 'bob too');
    expect(bobs.output).toMatch(/pending version 2 /);
    const self = await tplus('approve', '--registry', a, '--token-file', token('bob'), '--pending', '2');
    expect(self.code).toBe(1);
    expect(self.output).toMatch(/PERMISSION_DENIED: bob may not approve pending version 2: bob published it/);
    await new Promise((r) => setTimeout(r, 1_000)); // five heartbeats: nothing but heartbeats may arrive
    expect(sidecar.logs.filter((l) => l['event'] === 'snapshot_installed')).toEqual([]);

    const ok = await tplus('approve', '--registry', b, '--token-file', token('bob'), '--pending', '1');
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toMatch(/^approved: pending 1 is version 1 sha256 [0-9a-f]{64}, author alice, approver bob/);
    await sidecar.waitFor('snapshot_installed', at(1), 30_000);

    const c = registryClient(a, true);
    try {
      const snap = await unary<SnapshotMessage>(c, 'GetVersion', { version: 1 }, READ_TOKEN);
      expect({ author: snap.author, approver: snap.approver }).toEqual({ author: 'alice', approver: 'bob' });
    } finally {
      c.close();
    }
    // On every member: version 1 with its audit row (bob, Approve), pending 1 gone, pending 2 still there.
    for (let m = 0; m < 3; m++) {
      const pending = (await etcd.readPrefix(m, keys.pendingOpen)).map((kv) => kv.key);
      expect(pending, `member ${m}`).toEqual([keys.pendingEntry(2)]);
      const audit = await etcd.readPrefix(m, keys.versionAudit(1));
      expect(
        audit.map((kv) => JSON.parse(kv.value.toString()) as object),
        `member ${m}`,
      ).toEqual([
        expect.objectContaining({ who: 'bob', action: 'Approve', detail: expect.stringMatching(/author=alice; created version 1$/) }),
      ]);
    }
    const again = await tplus('approve', '--registry', a, '--token-file', token('bob'), '--pending', '1');
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/NOT_FOUND/);

    // Reject: its pending key goes with its audit row, on every member; nothing is created.
    const rejected = await tplus('reject', '--registry', a, '--token-file', token('bob'), '--pending', '2', '--reason', 'duplicate');
    expect(rejected.code, rejected.output).toBe(0);
    for (let m = 0; m < 3; m++) {
      expect((await etcd.readPrefix(m, keys.pendingOpen)).length, `member ${m}: pending`).toBe(0);
      expect((await etcd.readPrefix(m, keys.versions)).length, `member ${m}: versions`).toBe(1);
    }
    const log = await tplus('audit-log', '--registry', b, '--token-file', fx.readTokenFile, '--json');
    const rows = log.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { who: string; action: string; result: string; detail: string });
    expect(rows.filter((r) => r.action === 'Reject')).toEqual([
      expect.objectContaining({ who: 'bob', result: 'ok', detail: expect.stringContaining('rejected pending 2 by bob') }),
    ]);
  }, 120_000);
});
