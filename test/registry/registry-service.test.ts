import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryCommands } from '../../server/src/cli/registry-commands.js';
import { authMetadata, grpcTarget, registryServiceDefinition } from '../../server/src/registry/registry-proto.js';
import type { PublishResponseMessage, WatchEventMessage } from '../../server/src/registry/registry-wire.js';
import { verifySnapshot } from '../../server/src/sync/verify-snapshot.js';
import { readPublicKey } from '../../server/src/registry/signing-keys.js';
import { RULES_DIR } from '../support/bundled.js';
import { cli, type CliResult } from '../support/run-cli.js';
import {
  packWithEmergencyHoliday,
  PUBLISH_TOKEN,
  READ_TOKEN,
  registryFixture,
  startTestRegistry,
  type RegistryFixture,
  type TestRegistry,
} from './registry-harness.js';

function tplus(argv: readonly string[]): Promise<CliResult> {
  return cli(argv, '', registryCommands({ USER: 'tester' }));
}

describe('registry service (in-process registry, real gRPC over a Unix socket, real SQLite)', () => {
  let fx: RegistryFixture;
  let reg: TestRegistry;
  let client: Client;
  let holidayPack: string;
  const call = <T>(method: string, request: object, token: string | null): Promise<T> => {
    const m = registryServiceDefinition()[method];
    if (!m) throw new Error(method);
    return new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        authMetadata(token),
        { deadline: Date.now() + 20_000 },
        (e: ServiceError | null, v?: unknown) => (e ? reject(e) : resolve(v as T)),
      ),
    );
  };
  const failure = async (method: string, request: object, token: string | null): Promise<ServiceError> => {
    try {
      await call(method, request, token);
    } catch (e) {
      return e as ServiceError;
    }
    throw new Error(`${method} succeeded`);
  };
  const versions = async (): Promise<number[]> =>
    (await call<{ versions: { version: number }[] }>('ListVersions', {}, READ_TOKEN)).versions.map((v) => v.version);
  const publishArgs = (token: string, rules = RULES_DIR): string[] => [
    'publish',
    '--registry',
    reg.address,
    '--token-file',
    token,
    '--rules',
    rules,
    '--reason',
    'test',
  ];

  beforeAll(async () => {
    fx = registryFixture();
    reg = await startTestRegistry(fx);
    client = new Client(grpcTarget(reg.address), credentials.createInsecure());
    holidayPack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
  });
  afterAll(async () => {
    client.close();
    await reg.handle.close();
    fx.remove();
  });

  it('publish without a token, with a read token, with a wrong token: refused, audited, nothing changed', async () => {
    const cases: [string | null, string, string][] = [
      [null, 'UNAUTHENTICATED', 'anonymous'],
      [READ_TOKEN, 'PERMISSION_DENIED', 'read'],
      ['wrong-token-value', 'UNAUTHENTICATED', 'invalid'],
    ];
    for (const [token, code, who] of cases) {
      const e = await failure('Publish', { files: [{ path: 'x.yaml', content: Buffer.from('a: 1') }], reason: 'sneaky' }, token);
      expect(e.details).not.toContain(PUBLISH_TOKEN);
      expect({ code: e.code, reason: e.metadata.get('tplus-error-reason')[0] }).toEqual({
        code: code === 'UNAUTHENTICATED' ? 16 : 7,
        reason: code,
      });
      const last = (await reg.handle.ledger.store.auditRows()).at(-1);
      expect(last).toMatchObject({ who, action: 'Publish', result: code });
    }
    expect(await versions()).toEqual([]);
    const cli = await tplus(publishArgs(fx.readTokenFile));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/PERMISSION_DENIED/);
    expect(await versions()).toEqual([]);
    expect((await failure('ListVersions', {}, null)).code).toBe(16);
    const audit = JSON.stringify(await reg.handle.ledger.store.auditRows());
    expect(audit).not.toContain(READ_TOKEN);
    expect(audit).not.toContain('wrong-token-value');
    expect(JSON.stringify(reg.logs)).not.toContain(READ_TOKEN);
  });

  it('publish validates, signs and appends; identical content is idempotent (returns it, creates none)', async () => {
    const first = await tplus(publishArgs(fx.publishTokenFile));
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/^published: version 1 sha256 [0-9a-f]{64}/);
    const again = await tplus(publishArgs(fx.publishTokenFile));
    expect(again.stdout).toMatch(/^unchanged \(identical to the latest\): version 1/);
    expect(await versions()).toEqual([1]);
    const snap = await call<Parameters<typeof verifySnapshot>[0]>('GetVersion', { version: 0 }, READ_TOKEN);
    expect(verifySnapshot(snap, readPublicKey(fx.keys.publicKeyFile), 'x').version).toBe(1);
    expect(
      (await reg.handle.ledger.store.auditRows()).filter((r) => r.action === 'Publish' && r.result === 'ok').map((r) => r.detail),
    ).toEqual([expect.stringMatching(/created version 1$/), expect.stringMatching(/unchanged: version 1$/)]);
  });

  it('expect-version: FAILED_PRECONDITION when someone published in between; nothing created', async () => {
    const conflict = await tplus([...publishArgs(fx.publishTokenFile, holidayPack), '--expect-version', '0']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/FAILED_PRECONDITION \(VERSION_CONFLICT\): expected version 0 to be the latest, but it is 1/);
    expect(await versions()).toEqual([1]);
    const ok = await tplus([...publishArgs(fx.publishTokenFile, holidayPack), '--expect-version', '1']);
    expect(ok.stdout).toMatch(/^published: version 2 /);
  });

  it('refuses an invalid pack with every problem listed (INVALID_ARGUMENT), creating nothing', async () => {
    const files = [{ path: 'rules/bad.yaml', content: Buffer.from('rules:\n  - id: a\n    market: nope\n  - id: b\n') }];
    const e = await failure('Publish', { files, reason: 'bad' }, PUBLISH_TOKEN);
    expect(e.code).toBe(3);
    expect(e.metadata.get('tplus-error-reason')[0]).toBe('INVALID_PACK');
    const listed = e.details.split('\n').slice(1);
    expect(listed.length).toBeGreaterThan(3);
    expect(e.details).toMatch(/^the rule pack has \d+ error\(s\):/);
    expect(e.details).not.toContain('tplus-registry-pack-');
    expect(await versions()).toEqual([2, 1]);
  });

  it('rollback publishes a NEW version equal to the old one, with its reason; diff shows what changes', async () => {
    const res = await call<PublishResponseMessage>(
      'Rollback',
      { toVersion: 1, reason: 'holiday was cancelled', author: 'ops' },
      PUBLISH_TOKEN,
    );
    expect(res).toMatchObject({ created: true, version: { version: 3, parentVersion: 2, rollbackOf: 1, reason: 'holiday was cancelled' } });
    expect(res.version.sha256).toBe((await reg.handle.ledger.get(1)).sha256);
    expect(await versions()).toEqual([3, 2, 1]);
    const again = await tplus([
      'rollback',
      '--registry',
      reg.address,
      '--token-file',
      fx.publishTokenFile,
      '--to',
      '1',
      '--reason',
      'again',
    ]);
    expect(again.stdout).toMatch(/^unchanged .*version 3/);
    expect((await failure('Rollback', { toVersion: 99, reason: 'x' }, PUBLISH_TOKEN)).code).toBe(5);
    const diff = await tplus([
      'diff',
      '--registry',
      reg.address,
      '--token-file',
      fx.readTokenFile,
      '--from',
      '2030-01-01',
      '--to',
      '2030-12-31',
      '1',
      '2',
    ]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('XNYS EQUITY');
    expect(diff.stdout).toContain('trade 2030-03-12: 2030-03-13 → 2030-03-14');
    const history = await tplus(['history', '--registry', reg.address, '--token-file', fx.readTokenFile]);
    expect(
      history.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(['3', '2', '1']);
    expect(history.stdout).toContain('rollback of 1: holiday was cancelled');
  });

  it('Watch: a watcher behind gets the latest snapshot, then heartbeats; one up to date gets heartbeats only', async () => {
    const m = registryServiceDefinition()['Watch'];
    if (!m) throw new Error('Watch');
    const firstEvents = (since: number): Promise<WatchEventMessage[]> =>
      new Promise((resolve, reject) => {
        const events: WatchEventMessage[] = [];
        const stream = client.makeServerStreamRequest(
          m.path,
          m.requestSerialize,
          m.responseDeserialize,
          { sinceVersion: since },
          authMetadata(READ_TOKEN),
          {},
        );
        stream.on('data', (e: WatchEventMessage) => {
          events.push(e);
          if (events.length === 2) {
            stream.cancel();
            resolve(events);
          }
        });
        stream.on('error', (e: ServiceError) => (e.code === 1 ? undefined : reject(e)));
      });
    const behind = await firstEvents(1);
    expect(behind.map((e) => e.event)).toEqual(['snapshot', 'heartbeat']);
    expect(behind[0]?.snapshot?.version).toBe(3);
    expect(behind[1]?.heartbeat).toMatchObject({ latestVersion: 3, heartbeatIntervalMs: 200 });
    const current = await firstEvents(3);
    expect(current.map((e) => e.event)).toEqual(['heartbeat', 'heartbeat']);
    expect(await reg.metrics.getSingleMetricAsString('tplus_registry_versions_total')).toMatch(/tplus_registry_versions_total 3/);
  });

  it('keygen writes an ed25519 pair, the private key with mode 0600, and never overwrites', async () => {
    const out = join(fx.dir, 'newkeys');
    expect((await tplus(['keygen', '--out', out])).code).toBe(0);
    expect(statSync(join(out, 'signing.key')).mode & 0o777).toBe(0o600);
    expect(readPublicKey(join(out, 'signing.pub')).asymmetricKeyType).toBe('ed25519');
    expect((await tplus(['keygen', '--out', out])).code).toBe(1);
  });
  it('diff names a settlement type whose terms changed (not only its market and asset class)', async () => {
    const dir = join(fx.dir, 'pack-sellers-option');
    cpSync(RULES_DIR, dir, { recursive: true });
    const us = join(dir, 'rules', 'us-equities.yaml');
    writeFileSync(us, readFileSync(us, 'utf8').replace('max_calendar_days: 180', 'max_calendar_days: 60'));
    const published = await tplus(publishArgs(fx.publishTokenFile, dir));
    expect(published.stdout).toMatch(/^published: version 4 /);
    const args = [
      'diff',
      '--registry',
      reg.address,
      '--token-file',
      fx.readTokenFile,
      '--from',
      '2025-03-03',
      '--to',
      '2025-03-03',
      '3',
      '4',
    ];
    const text = await tplus(args);
    expect(text.stdout).toContain('XNYS EQUITY SELLERS_OPTION 2025-03-03..2025-03-03: 1 trade date(s)');
    const json = JSON.parse((await tplus([...args, '--json'])).stdout) as {
      ranges: { market: string; settlementType: string; segment: string }[];
    };
    expect(json.ranges).toEqual([expect.objectContaining({ market: 'XNYS', settlementType: 'SELLERS_OPTION', segment: '' })]);
  });
});
