import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import {
  followerArgs,
  packWithEmergencyHoliday,
  publishArgs,
  registryArgs,
  registryFixture,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

describe('a canary that could not return to live refuses to activate the candidate (real processes)', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let sidecar: TplusProcess;
  let address: string;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    address = `unix:${join(fx.dir, 'registry.sock')}`;
    registry = spawnTplus(registryArgs(fx, address, ['--metrics-listen', 'off', '--heartbeat-ms', '200']));
    await registry.waitFor('registry_serving');
    expect((await runTplus(publishArgs(fx, address, RULES_DIR, 'live'))).code).toBe(0);
    const dir = join(fx.dir, 'sc');
    sidecar = spawnTplus(
      followerArgs(fx, address, dir, ['--sidecar-id', 'one', '--labels', 'role=canary', '--keep-versions', '1', '--metrics-listen', 'off']),
    );
    await sidecar.waitFor('serving');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([sidecar.stop('SIGKILL'), registry.stop('SIGKILL')]);
    fx.remove();
  });

  it('--keep-versions 1: NACK store_failed naming the flag, live kept, the rollout halts', async () => {
    const pack = packWithEmergencyHoliday(join(fx.dir, 'pack'));
    const published = await runTplus([
      ...publishArgs(fx, address, pack, 'closure'),
      '--stage',
      'candidate',
      '--expect-changes',
      '2030-03-01..2030-03-31',
    ]);
    expect(published.code, published.output).toBe(0);
    await sidecar.waitFor('shadow_held');
    const r = await runTplus([
      'rollout',
      '--registry',
      address,
      '--token-file',
      fx.publishTokenFile,
      '--version',
      '2',
      '--selector',
      'role=canary',
    ]);
    expect(r.code, r.output).toBe(0);
    const nack = await registry.waitFor('rollout_nack');
    expect(nack).toMatchObject({ sidecarId: 'one', version: 2, state: 'store_failed' });
    expect(String(nack['reason'])).toMatch(/--keep-versions 1 cannot keep the live version beside a candidate: use 2 or more/);
    const fleet = await runTplus(['fleet', '--registry', address, '--token-file', fx.readTokenFile]);
    expect(fleet.output).toMatch(/^live version 1; candidate 2 halted; 1 follower\(s\)$/m);
    expect(fleet.output).toMatch(/^one +role=canary +active 1 /m);
    expect(sidecar.logs.some((l) => l['event'] === 'ruleset_active' && l['version'] === 2)).toBe(false);
  });
});
