// `tplus history` marks candidate versions with their rollout stage (issue 17): a version published
// --stage candidate is not live until promoted, and one aborted never was; history must say so.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import {
  packWithEmergencyHoliday,
  publishArgs,
  registryArgs,
  registryFixture,
  writeArgs,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, tplusOk, type TplusProcess } from './tplus-process.js';

describe('tplus history marks candidates (real registry process)', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let address: string;
  let pack: string;
  const ok = tplusOk;
  const write = (command: string, extra: readonly string[]): string[] => writeArgs(fx, address, command, extra);
  const history = async (): Promise<string[]> =>
    (await ok(['history', '--registry', address, '--token-file', fx.readTokenFile])).trimEnd().split('\n');
  const stages = async (): Promise<[number, string | undefined][]> =>
    (await ok(['history', '--registry', address, '--token-file', fx.readTokenFile, '--json']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { version: number; stage?: string })
      .map((v) => [v.version, v.stage]);

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    pack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
    address = `unix:${join(fx.dir, 'registry.sock')}`;
    registry = spawnTplus(registryArgs(fx, address, ['--metrics-listen', 'off']));
    await registry.waitFor('registry_serving');
    await ok(publishArgs(fx, address, RULES_DIR, 'initial: the bundled pack'));
  }, 120_000);

  afterAll(async () => {
    await registry.stop('SIGKILL');
    fx.remove();
  });

  it('an open candidate is marked candidate, then rolling; an aborted one aborted; a promoted one promoted; live versions carry no stage', async () => {
    const candidate = ['--stage', 'candidate', '--expect-changes', '2030-03-01..2030-03-31'];
    await ok([...publishArgs(fx, address, pack, 'closure, first try'), ...candidate]);
    let lines = await history();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {3}2 .* closure, first try {2}\[candidate\]$/);
    expect(lines[1]).toMatch(/^ {3}1 .* initial: the bundled pack$/);
    expect(await stages()).toEqual([
      [2, 'candidate'],
      [1, ''],
    ]);

    await ok(write('rollout', ['--version', '2', '--selector', 'role=canary', '--reason', 'canary']));
    expect((await history())[0]).toMatch(/closure, first try {2}\[candidate: rolling\]$/);
    await ok(write('abort', ['--version', '2', '--reason', 'drill']));
    expect((await history())[0]).toMatch(/closure, first try {2}\[candidate: aborted, never live\]$/);

    await ok([...publishArgs(fx, address, pack, 'closure, second try'), ...candidate]);
    await ok(write('promote', ['--version', '3', '--force', '--reason', 'no followers here']));
    lines = await history();
    expect(lines[0]).toMatch(/^ {3}3 .* closure, second try {2}\[candidate: promoted\]$/);
    expect(await stages()).toEqual([
      [3, 'promoted'],
      [2, 'aborted'],
      [1, ''],
    ]);
  });

  it('promote --min-shadow-decisions 0 is a usage error naming the value (on the wire 0 means the default 10,000), and nothing is promoted', async () => {
    await ok([
      ...publishArgs(fx, address, pack, 'closure, third try'),
      '--stage',
      'candidate',
      '--expect-changes',
      '2030-03-01..2030-03-31',
    ]);
    const r = await runTplus(write('promote', ['--version', '4', '--min-shadow-decisions', '0', '--reason', 'none needed']));
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain(
      'promote: --min-shadow-decisions "0" must be at least 1 (0 on the wire means the default, 10000); to promote without shadow decisions use --force --reason TEXT',
    );
    expect((await history())[0]).toMatch(/closure, third try {2}\[candidate\]$/);
  });
});
