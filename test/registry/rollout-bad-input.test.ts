import { join } from 'node:path';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authMetadata, grpcTarget } from '../../server/src/registry/registry-proto.js';
import { rolloutServiceDefinition } from '../../server/src/registry/rollout-proto.js';
import { RULES_DIR } from '../support/bundled.js';
import { packFiles, unary } from './registry-client.js';
import {
  packWithEmergencyHoliday,
  PUBLISH_TOKEN,
  READ_TOKEN,
  registryFixture,
  startTestRegistry,
  type RegistryFixture,
  type TestRegistry,
} from './registry-harness.js';

// The registry's clock is 2026-11-27 (registry-harness NOW): the candidate diff covers 2026-11-27 + 3,660 days.
describe('RolloutService refuses bad input with the right status, naming the field and value, and changes nothing', () => {
  let fx: RegistryFixture;
  let reg: TestRegistry;
  let client: Client;
  let holiday: ReturnType<typeof packFiles>;
  const call = <T>(method: string, request: object, token: string | null = PUBLISH_TOKEN): Promise<T> => {
    const m = rolloutServiceDefinition()[method];
    if (!m) throw new Error(method);
    return new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        authMetadata(token),
        { deadline: Date.now() + 30_000 },
        (e: ServiceError | null, v?: unknown) => (e ? reject(e) : resolve(v as T)),
      ),
    );
  };
  const failure = async (
    method: string,
    request: object,
    token: string | null = PUBLISH_TOKEN,
  ): Promise<{ code: number; reason: string; details: string }> => {
    try {
      await call(method, request, token);
    } catch (e) {
      const err = e as ServiceError;
      return { code: err.code, reason: String(err.metadata.get('tplus-error-reason')[0]), details: err.details };
    }
    throw new Error(`${method} unexpectedly succeeded`);
  };
  const latest = (): number => reg.handle.ledger.store.latestVersion();

  beforeAll(async () => {
    fx = registryFixture();
    reg = await startTestRegistry(fx);
    client = new Client(grpcTarget(reg.address), credentials.createInsecure());
    holiday = packFiles(packWithEmergencyHoliday(join(fx.dir, 'pack-holiday')));
    await unary(client, 'Publish', { files: packFiles(RULES_DIR), reason: 'live', author: 't' }, PUBLISH_TOKEN);
  });
  afterAll(async () => {
    client.close();
    await reg.handle.close();
    fx.remove();
  });

  it('PublishCandidate: a malformed declaration is INVALID_ARGUMENT naming expect_changes and the value; nothing is stored', async () => {
    for (const bad of ['2030-03-01', '2030-03-31..2030-03-01', '2030-02-30..2030-03-01', '2030-03-01..2030-03-31@xnys']) {
      const f = await failure('PublishCandidate', { files: holiday, reason: 'r', expectChanges: [bad] });
      expect(f).toMatchObject({ code: 3, reason: 'INVALID_ARGUMENT' });
      expect(f.details).toContain(`expect_changes ${JSON.stringify(bad)}`);
    }
    expect((await failure('PublishCandidate', { files: holiday, reason: ' ', expectChanges: ['2030-03-01..2030-03-31'] })).details).toBe(
      'reason is required',
    );
    expect(latest()).toBe(1);
  });

  it('a read token cannot publish, roll out, promote or abort (PERMISSION_DENIED); it may list the fleet and read a shadow report', async () => {
    for (const method of ['PublishCandidate', 'StartRollout', 'Promote', 'Abort'])
      expect((await failure(method, { files: holiday, version: 1, reason: 'r', expectChanges: [] }, READ_TOKEN)).reason).toBe(
        'PERMISSION_DENIED',
      );
    expect(await call('ListFleet', {}, READ_TOKEN)).toMatchObject({ liveVersion: 1, followers: [], rollout: null });
    expect(await call('GetShadowReport', { version: 1 }, READ_TOKEN)).toMatchObject({ version: 1, followers: 0, samples: [] });
    expect(latest()).toBe(1);
  });

  it('StartRollout, Promote and Abort of a version that is not an open candidate: FAILED_PRECONDITION (NOT_A_CANDIDATE)', async () => {
    for (const method of ['StartRollout', 'Promote', 'Abort']) {
      const f = await failure(method, { version: 1, selector: { role: 'canary' }, reason: 'r' });
      expect(f).toEqual({ code: 9, reason: 'NOT_A_CANDIDATE', details: 'version 1 is not a candidate' });
    }
  });

  it('StartRollout needs a selector or a percent of 1..100; Promote --force needs a reason; ReportState needs a sidecar id', async () => {
    const c = await call<{ version: { version: number } }>('PublishCandidate', {
      files: holiday,
      reason: 'closure',
      expectChanges: ['2030-03-01..2030-03-31'],
    });
    const v = c.version.version;
    expect(v).toBe(2);
    expect(await failure('StartRollout', { version: v, reason: 'r' })).toMatchObject({
      code: 3,
      details: 'a rollout needs a selector or a percent',
    });
    expect(await failure('StartRollout', { version: v, percent: 101 })).toMatchObject({ code: 3, details: 'percent 101 must be 1..100' });
    expect(await failure('Promote', { version: v, force: true, reason: '' })).toMatchObject({
      code: 3,
      details: 'force needs a reason (it is kept in the audit log)',
    });
    expect(await failure('ReportState', { sidecarId: '', version: v, ack: false, state: 'bad_hash' }, READ_TOKEN)).toMatchObject({
      code: 3,
      details: 'sidecar_id "" must be 1..200 characters',
    });
    expect(await failure('Abort', { version: v, reason: '' })).toMatchObject({ code: 3, details: 'reason is required' });
    const fleet = await call<{ rollout: { state: string; nacks: number } }>('ListFleet', {}, READ_TOKEN);
    expect(fleet.rollout).toMatchObject({ state: 'candidate', nacks: 0 });
    // The live version is still 1 for every reader; the candidate is 2.
    expect(await unary<{ version: number }>(client, 'GetVersion', { version: 0 }, READ_TOKEN)).toMatchObject({ version: 1 });
    expect(await call('Abort', { version: v, reason: 'done' })).toMatchObject({ rollout: { state: 'aborted', liveVersion: 1 } });
    expect(await failure('Promote', { version: v })).toEqual({
      code: 9,
      reason: 'NOT_A_CANDIDATE',
      details: 'candidate version 2 is already aborted',
    });
  });
});
