/**
 * A registry whose versions are in etcd (`--store etcd`) keeps no rollout candidates: candidate state is
 * only in the SQLite store. Publishing a candidate and every rollout command are refused with
 * FAILED_PRECONDITION naming the store, nothing is stored, and sidecars following it keep following
 * (their FollowRollout stream and reports still work). Real processes: etcd, registry, sidecar, CLI.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-cluster.js';
import {
  followerArgs,
  packWithEmergencyHoliday,
  publishArgs,
  registryArgs,
  registryFixture,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

describe('staged rollout on a registry with --store etcd is refused, naming the store (real processes)', () => {
  let etcd: EtcdCluster;
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let sidecar: TplusProcess;
  let address: string;
  let holidayPack: string;
  const at = (version: number) => (l: LogLine) => l['version'] === version;
  const refusal = (): RegExp =>
    new RegExp(
      `FAILED_PRECONDITION \\(CANDIDATES_UNSUPPORTED\\): this registry keeps its versions in etcd:${etcd.endpoints.replace(/[.]/g, '\\.')}[^;]*; ` +
        'rollout candidates are kept only by a registry with --store sqlite',
    );
  const write = (command: string, extra: readonly string[]): string[] => [
    command,
    ...['--registry', address, '--token-file', fx.publishTokenFile],
    ...extra,
  ];
  /** `tplus history --json` (JSON Lines, newest first): the version numbers. */
  const versions = async (): Promise<number[]> => {
    const r = await runTplus(['history', '--registry', address, '--token-file', fx.readTokenFile, '--json']);
    expect(r.code, r.output).toBe(0);
    const lines = r.output.split('\n').filter((l) => l.startsWith('{'));
    return lines.map((l) => (JSON.parse(l) as { version: number }).version);
  };

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    holidayPack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
    etcd = await startEtcdCluster(1);
    registry = spawnTplus(
      registryArgs(fx, '127.0.0.1:0', [
        '--store',
        'etcd',
        '--etcd-endpoints',
        etcd.endpoints,
        '--metrics-listen',
        'off',
        '--heartbeat-ms',
        '200',
      ]),
    );
    address = String((await registry.waitFor('registry_serving'))['address']);
    const first = await runTplus(publishArgs(fx, address, RULES_DIR, 'initial: the bundled pack'));
    expect(first.code, first.output).toBe(0);
    const dir = join(fx.dir, 'sidecar');
    sidecar = spawnTplus(followerArgs(fx, address, dir, ['--sidecar-id', 'sc-0', '--labels', 'role=canary', '--metrics-listen', 'off']));
    await sidecar.waitFor('ruleset_active', at(1));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sidecar?.stop('SIGKILL'), registry?.stop('SIGKILL')]);
    await etcd?.stop();
    fx?.remove();
  });

  it('publish --stage candidate: FAILED_PRECONDITION naming the etcd store; no version is created', async () => {
    const r = await runTplus([
      ...publishArgs(fx, address, holidayPack, 'closure'),
      ...['--stage', 'candidate', '--expect-changes', '2030-03-01..2030-03-31'],
    ]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(refusal());
    expect(await versions()).toEqual([1]);
  });

  it('rollout, promote and abort are refused the same way (not "not a candidate")', async () => {
    for (const args of [
      write('rollout', ['--version', '2', '--selector', 'role=canary', '--reason', 'r']),
      write('promote', ['--version', '2', '--force', '--reason', 'r']),
      write('abort', ['--version', '2', '--reason', 'r']),
    ]) {
      const r = await runTplus(args);
      expect(r.code, args[0]).toBe(1);
      expect(r.output, args[0]).toMatch(refusal());
    }
  });

  it('the sidecar keeps following: fleet lists it on live, and a plain publish reaches it', async () => {
    const r = await runTplus(['fleet', '--registry', address, '--token-file', fx.readTokenFile, '--json']);
    expect(r.code, r.output).toBe(0);
    const fleet = JSON.parse(r.output) as { liveVersion: number; followers: { sidecarId: string; activeVersion: number }[] };
    expect(fleet.liveVersion).toBe(1);
    expect(fleet.followers.map((f) => [f.sidecarId, f.activeVersion])).toEqual([['sc-0', 1]]);
    const p = await runTplus(publishArgs(fx, address, holidayPack, 'closure, published plainly'));
    expect(p.code, p.output).toBe(0);
    await sidecar.waitFor('ruleset_active', at(2));
    expect(await versions()).toEqual([2, 1]);
  });
});
