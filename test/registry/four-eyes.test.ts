import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../server/src/runtime/json-logger.js';
import { startRegistry, type RegistryHandle } from '../../server/src/registry/server/start-registry.js';
import type { ListPendingResponseMessage, PublishResponseMessage, SnapshotMessage } from '../../server/src/registry/registry-wire.js';
import { readPublicKey } from '../../server/src/registry/signing-keys.js';
import { verifySnapshot } from '../../server/src/sync/verify-snapshot.js';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { packFiles, registryClient, unary } from './registry-client.js';
import {
  followerArgs,
  packWithEmergencyHoliday,
  READ_TOKEN,
  registryArgs,
  registryFixture,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

const ALICE = 'alice-publish-token-0123';
const BOB = 'bob-approve-token-0123';
const TRADE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };
const at = (version: number) => (l: LogLine) => l['version'] === version;

/** A tokens file: alice publishes, bob publishes and approves, the fixture's read token reads. */
function identities(fx: RegistryFixture): { alice: string; bob: string } {
  writeFileSync(fx.tokensFile, `publish alice ${ALICE}\npublish,approve bob ${BOB}\nread reader ${READ_TOKEN}\n`);
  writeFileSync(join(fx.dir, 'alice.token'), `${ALICE}\n`);
  writeFileSync(join(fx.dir, 'bob.token'), `${BOB}\n`);
  return { alice: join(fx.dir, 'alice.token'), bob: join(fx.dir, 'bob.token') };
}

describe('four-eyes publishing (real processes: registry --require-approval, a following sidecar)', () => {
  let fx: RegistryFixture;
  let tokens: { alice: string; bob: string };
  const procs: TplusProcess[] = [];
  let registry: TplusProcess;
  let sidecar: TplusProcess;
  let client: TestClient | undefined;
  const address = (): string => `unix:${join(fx.dir, 'registry.sock')}`;
  const tplus = (...args: string[]) => runTplus(args.map((a) => (a === 'REG' ? address() : a)));
  const publish = (token: string, rules: string, reason: string) =>
    tplus('publish', '--registry', 'REG', '--token-file', token, '--rules', rules, '--reason', reason);
  const pendingIds = async (): Promise<number[]> => {
    const r = await tplus('pending', '--registry', 'REG', '--token-file', fx.readTokenFile, '--json');
    expect(r.code, r.output).toBe(0);
    return r.output.trim() === ''
      ? []
      : r.output
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { id: number }).id);
  };
  const auditRows = async (): Promise<{ who: string; action: string; detail: string; result: string }[]> => {
    const r = await tplus('audit-log', '--registry', 'REG', '--token-file', fx.readTokenFile, '--json');
    expect(r.code, r.output).toBe(0);
    return r.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { who: string; action: string; detail: string; result: string });
  };

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    tokens = identities(fx);
    registry = spawnTplus(registryArgs(fx, address(), ['--metrics-listen', 'off', '--heartbeat-ms', '200', '--require-approval']));
    procs.push(registry);
    expect((await registry.waitFor('registry_serving'))['requireApproval']).toBe(true);
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    fx?.remove();
  });

  it('a publish waits as pending 1 (no version); its author may not approve it (PERMISSION_DENIED naming both); bob approves: version 1, both signed', async () => {
    const out = await publish(tokens.alice, RULES_DIR, 'first pack');
    expect(out.code, out.output).toBe(0);
    expect(out.output).toMatch(/^pending: pending version 1 sha256 [0-9a-f]{64} awaits approval by another identity/m);
    expect(await pendingIds()).toEqual([1]);
    expect((await tplus('history', '--registry', 'REG', '--token-file', fx.readTokenFile)).output).toContain('no versions published yet');
    const own = await tplus('approve', '--registry', 'REG', '--token-file', tokens.alice, '--pending', '1');
    expect(own.code).toBe(1);
    expect(own.output).toMatch(/PERMISSION_DENIED: alice .*may not do this; it needs the approve role/);
    const self = await tplus('publish', '--registry', 'REG', '--token-file', tokens.bob, '--rules', RULES_DIR, '--reason', 'bob too');
    expect(self.output).toMatch(/pending version 2 /);
    const selfApprove = await tplus('approve', '--registry', 'REG', '--token-file', tokens.bob, '--pending', '2');
    expect(selfApprove.code).toBe(1);
    expect(selfApprove.output).toMatch(/PERMISSION_DENIED: bob may not approve pending version 2: bob published it/);
    const ok = await tplus('approve', '--registry', 'REG', '--token-file', tokens.bob, '--pending', '1');
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toMatch(/^approved: pending 1 is version 1 sha256 [0-9a-f]{64}, author alice, approver bob/);
    const c = registryClient(address());
    try {
      const snap = await unary<SnapshotMessage>(c, 'GetVersion', { version: 1 }, READ_TOKEN);
      expect({ author: snap.author, approver: snap.approver }).toEqual({ author: 'alice', approver: 'bob' });
      expect(verifySnapshot(snap, readPublicKey(fx.keys.publicKeyFile), 'x').version).toBe(1);
      // The approver is signed: the same snapshot claiming another approver does not verify.
      expect(() => verifySnapshot({ ...snap, approver: 'mallory' }, readPublicKey(fx.keys.publicKeyFile), 'x')).toThrow(/signature/);
    } finally {
      c.close();
    }
    const rows = await auditRows();
    expect(rows.filter((r) => r.action === 'Approve')).toEqual([
      expect.objectContaining({ who: 'alice', result: 'PERMISSION_DENIED' }),
      expect.objectContaining({ who: 'bob', result: 'PERMISSION_DENIED' }),
      expect.objectContaining({ who: 'bob', result: 'ok', detail: expect.stringMatching(/pending_id=1 author=alice; created version 1$/) }),
    ]);
  }, 60_000);

  it('a pending version never reaches a follower; approved, the follower installs it', async () => {
    sidecar = spawnTplus(followerArgs(fx, address(), join(fx.dir, 'sidecar'), ['--metrics-listen', 'off']));
    procs.push(sidecar);
    await sidecar.waitFor('serving');
    client = new TestClient(`unix://${join(fx.dir, 'sidecar', 's.sock')}`);
    const out = await publish(tokens.alice, packWithEmergencyHoliday(join(fx.dir, 'pack-2030')), 'emergency closure');
    expect(out.output).toMatch(/pending version 3 /);
    const diff = await tplus(
      'diff',
      '--registry',
      'REG',
      '--token-file',
      fx.readTokenFile,
      '--pending',
      '3',
      '--from',
      '2030-03-01',
      '--to',
      '2030-03-31',
    );
    expect(diff.code, diff.output).toBe(0);
    expect(diff.output).toContain('trade 2030-03-12: 2030-03-13 → 2030-03-14');
    await new Promise((r) => setTimeout(r, 1_500)); // seven heartbeats: nothing but heartbeats may arrive
    expect(sidecar.logs.filter((l) => l['event'] === 'snapshot_installed').map((l) => l['version'])).toEqual([1]);
    expect((await client.call<{ settlementDate: string }>('GetSettlementDate', TRADE)).settlementDate).toBe('2030-03-13');
    expect((await tplus('approve', '--registry', 'REG', '--token-file', tokens.bob, '--pending', '3')).code).toBe(0);
    await sidecar.waitFor('snapshot_installed', at(2), 20_000);
    expect((await client.call<{ settlementDate: string }>('GetSettlementDate', TRADE)).settlementDate).toBe('2030-03-14');
  }, 60_000);

  it('reject: nothing is created, the rejection is audited with who and why', async () => {
    expect(await pendingIds()).toEqual([2]);
    const r = await tplus('reject', '--registry', 'REG', '--token-file', tokens.bob, '--pending', '2', '--reason', 'duplicate of 1');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/^rejected: pending 2 by bob sha256 [0-9a-f]{64}/);
    expect(await pendingIds()).toEqual([]);
    const again = await tplus('approve', '--registry', 'REG', '--token-file', tokens.bob, '--pending', '2');
    expect(again.output).toMatch(
      /NOT_FOUND \(VERSION_NOT_FOUND\): pending version 2 does not exist or was approved, rejected or expired already/,
    );
    const rows = await auditRows();
    expect(rows.filter((x) => x.action === 'Reject')).toEqual([
      expect.objectContaining({
        who: 'bob',
        result: 'ok',
        detail: expect.stringMatching(/reason="duplicate of 1"; rejected pending 2 by bob/),
      }),
    ]);
    const history = await tplus('history', '--registry', 'REG', '--token-file', fx.readTokenFile, '--json');
    expect(history.output.trim().split('\n')).toHaveLength(2);
  }, 60_000);
});

describe('four-eyes: expiry (in-process registry with a clock passed in, real gRPC and SQLite)', () => {
  let fx: RegistryFixture;
  let handle: RegistryHandle;
  let now = new Date('2026-11-27T09:00:00.000Z');

  beforeAll(async () => {
    fx = registryFixture();
    identities(fx);
    handle = await startRegistry(
      {
        dataDir: join(fx.dir, 'data'),
        listen: `unix:${join(fx.dir, 'registry.sock')}`,
        signingKeyFile: fx.keys.privateKeyFile,
        tokensFile: fx.tokensFile,
        metricsListen: null,
        heartbeatMs: 200,
        approvalTtlMs: 3_600_000,
      },
      { now: () => now, log: memoryLogger(() => now), registry: new Registry(), processMetrics: false },
    );
  });
  afterAll(async () => {
    await handle.close();
    fx.remove();
  });

  it('a pending version not approved within the TTL expires: gone from the list, audited, approving it is NOT_FOUND', async () => {
    const c = registryClient(handle.address);
    try {
      const res = await unary<PublishResponseMessage>(c, 'Publish', { files: packFiles(RULES_DIR), reason: 'r', author: '' }, ALICE);
      expect(res.pending).toMatchObject({ id: 1, author: 'alice', expiresAt: '2026-11-27T10:00:00.000Z' });
      expect(res.created).toBe(false);
      now = new Date('2026-11-27T09:59:59.000Z');
      expect((await unary<ListPendingResponseMessage>(c, 'ListPending', {}, READ_TOKEN)).pending.map((p) => p.id)).toEqual([1]);
      now = new Date('2026-11-27T10:00:00.000Z');
      expect((await unary<ListPendingResponseMessage>(c, 'ListPending', {}, READ_TOKEN)).pending).toEqual([]);
      await expect(unary(c, 'Approve', { pendingId: 1 }, BOB)).rejects.toMatchObject({ code: 5 });
      const expiry = (await handle.ledger.store.auditRows()).filter((r) => r.action === 'Expire');
      expect(expiry).toEqual([
        {
          at: '2026-11-27T10:00:00.000Z',
          who: 'registry',
          action: 'Expire',
          detail: expect.stringMatching(
            /^pending 1 by alice \(sha256 [0-9a-f]{64}, reason "r"\) was not approved by 2026-11-27T10:00:00.000Z$/,
          ),
          result: 'ok',
        },
      ]);
      expect(await handle.ledger.store.latest()).toBeNull();
    } finally {
      c.close();
    }
  });
});

describe('grpc.health.v1 on the registry', () => {
  it('reports SERVING for the server and for RegistryService', async () => {
    const fx = registryFixture();
    const handle = await startRegistry(
      {
        dataDir: join(fx.dir, 'data'),
        listen: `unix:${join(fx.dir, 'registry.sock')}`,
        signingKeyFile: fx.keys.privateKeyFile,
        tokensFile: fx.tokensFile,
        metricsListen: null,
        heartbeatMs: 200,
      },
      { now: () => new Date(), log: memoryLogger(() => new Date()), registry: new Registry(), processMetrics: false },
    );
    const health = loadSync(healthProtoPath, { enums: String, defaults: true })['grpc.health.v1.Health'] as ServiceDefinition;
    const check = health['Check'] as ServiceDefinition[string];
    const c = registryClient(handle.address);
    try {
      const ask = (service: string): Promise<string> =>
        new Promise((resolve, reject) =>
          c.makeUnaryRequest(check.path, check.requestSerialize, check.responseDeserialize, { service }, (err, res) =>
            err ? reject(err) : resolve((res as { status: string }).status),
          ),
        );
      expect([await ask(''), await ask('tplus.registry.v1.RegistryService')]).toEqual(['SERVING', 'SERVING']);
      await expect(ask('no.such.Service')).rejects.toMatchObject({ code: 5 });
    } finally {
      c.close();
      await handle.close();
      fx.remove();
    }
  });
});
