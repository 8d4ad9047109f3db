/**
 * Four-eyes publishing (`--require-approval`) and staged rollout: a candidate goes live at promote, so on a
 * registry where a version needs a second identity's approval a candidate would bypass it. Such a
 * registry refuses `publish --stage candidate` with FAILED_PRECONDITION naming the flag and stores
 * nothing. Real processes: registry, CLI.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../integration/sidecar-process.js';
import { packWithEmergencyHoliday, publishArgs, registryArgs, registryFixture, type RegistryFixture } from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

describe('a registry with --require-approval refuses rollout candidates (real processes)', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let address: string;

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    address = `unix:${join(fx.dir, 'registry.sock')}`;
    registry = spawnTplus(registryArgs(fx, address, ['--metrics-listen', 'off', '--require-approval']));
    await registry.waitFor('registry_serving');
  }, 120_000);

  afterAll(async () => {
    await registry?.stop('SIGKILL');
    fx?.remove();
  });

  it('publish --stage candidate: FAILED_PRECONDITION naming --require-approval; nothing is stored or pending', async () => {
    const pack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
    const r = await runTplus([
      ...publishArgs(fx, address, pack, 'closure'),
      '--stage',
      'candidate',
      '--expect-changes',
      '2030-03-01..2030-03-31',
    ]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /FAILED_PRECONDITION \(CANDIDATES_UNSUPPORTED\): this registry requires approval \(--require-approval\): a candidate would go live at promote without a second identity approving it/,
    );
    const history = await runTplus(['history', '--registry', address, '--token-file', fx.readTokenFile]);
    expect(history.output).toContain('no versions published yet');
    const pending = await runTplus(['pending', '--registry', address, '--token-file', fx.readTokenFile]);
    expect(pending.code, pending.output).toBe(0);
    expect(pending.output).not.toMatch(/closure/);
  });
});
