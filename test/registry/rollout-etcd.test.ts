/**
 * A registry whose versions are in etcd (`--store etcd`) keeps no rollout candidates: candidate state is
 * only in the SQLite store. Publishing a candidate and every rollout command are refused with
 * FAILED_PRECONDITION naming the store, nothing is stored, and sidecars following it keep following
 * (their FollowRollout stream and reports still work, and move to the next replica like Watch does).
 * Real processes: etcd, two registry replicas, a sidecar following both, the CLI.
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
  writeArgs,
  type RegistryFixture,
} from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

describe('staged rollout on a registry with --store etcd is refused, naming the store (real processes)', () => {
  let etcd: EtcdCluster;
  let fx: RegistryFixture;
  const replicas: { proc: TplusProcess; address: string }[] = [];
  let sidecar: TplusProcess;
  let address: string;
  let holidayPack: string;
  const at = (version: number) => (l: LogLine) => l['version'] === version;
  const refusal = (): RegExp =>
    new RegExp(
      `FAILED_PRECONDITION \\(CANDIDATES_UNSUPPORTED\\): this registry keeps its versions in etcd:${etcd.endpoints.replace(/[.]/g, '\\.')}[^;]*; ` +
        'rollout candidates are kept only by a registry with --store sqlite',
    );
  const write = (command: string, at: string, extra: readonly string[]): string[] => writeArgs(fx, at, command, extra);
  /** `tplus history --json` (JSON Lines, newest first): the version numbers. */
  const versions = async (): Promise<number[]> => {
    const r = await runTplus(['history', '--registry', address, '--token-file', fx.readTokenFile, '--json']);
    expect(r.code, r.output).toBe(0);
    const lines = r.output.split('\n').filter((l) => l.startsWith('{'));
    return lines.map((l) => (JSON.parse(l) as { version: number }).version);
  };

  const startReplica = async (): Promise<TplusProcess> => {
    const p = spawnTplus(
      registryArgs(fx, '127.0.0.1:0', [
        // Each replica claims a data dir of its own (the data-dir lock); the versions are in etcd.
        ...['--data-dir', join(fx.dir, `data-${replicas.length}`), '--store', 'etcd', '--etcd-endpoints', etcd.endpoints],
        ...['--metrics-listen', 'off', '--heartbeat-ms', '200'],
      ]),
    );
    replicas.push({ proc: p, address: String((await p.waitFor('registry_serving'))['address']) });
    return p;
  };
  const fleetOf = async (at: string): Promise<{ liveVersion: number; followers: { sidecarId: string; activeVersion: number }[] }> => {
    const r = await runTplus(['fleet', '--registry', at, '--token-file', fx.readTokenFile, '--json']);
    expect(r.code, r.output).toBe(0);
    return JSON.parse(r.output) as { liveVersion: number; followers: { sidecarId: string; activeVersion: number }[] };
  };

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    holidayPack = packWithEmergencyHoliday(join(fx.dir, 'pack-holiday'));
    etcd = await startEtcdCluster(1);
    await startReplica();
    await startReplica();
    address = replicas[0]?.address ?? '';
    const first = await runTplus(publishArgs(fx, address, RULES_DIR, 'initial: the bundled pack'));
    expect(first.code, first.output).toBe(0);
    const dir = join(fx.dir, 'sidecar');
    const both = replicas.map((r) => r.address).join(',');
    sidecar = spawnTplus(followerArgs(fx, both, dir, ['--sidecar-id', 'sc-0', '--labels', 'role=canary', '--metrics-listen', 'off']));
    await sidecar.waitFor('ruleset_active', at(1));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sidecar?.stop('SIGKILL'), ...replicas.map((r) => r.proc.stop('SIGKILL'))]);
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

  it('rollout, promote and abort are refused the same way by either replica (not "not a candidate")', async () => {
    for (const args of replicas.flatMap(({ address: at }) => [
      write('rollout', at, ['--version', '2', '--selector', 'role=canary', '--reason', 'r']),
      write('promote', at, ['--version', '2', '--force', '--reason', 'r']),
      write('abort', at, ['--version', '2', '--reason', 'r']),
    ])) {
      const r = await runTplus(args);
      expect(r.code, args[0]).toBe(1);
      expect(r.output, args[0]).toMatch(refusal());
    }
  });

  it('the sidecar keeps following: its replica lists it on live; when that replica dies the other lists it and a plain publish reaches it', async () => {
    const [a, b] = replicas as [{ proc: TplusProcess; address: string }, { proc: TplusProcess; address: string }];
    const onA = await fleetOf(a.address);
    expect(onA.liveVersion).toBe(1);
    expect(onA.followers.map((f) => [f.sidecarId, f.activeVersion])).toEqual([['sc-0', 1]]);
    await a.proc.stop('SIGKILL');
    // The sidecar's FollowRollout stream fails and moves to B (bounded: 30 polls, 15 s).
    const deadline = Date.now() + 15_000;
    let onB = await fleetOf(b.address);
    for (let i = 0; i < 30 && onB.followers.length === 0 && Date.now() < deadline; i++) {
      await new Promise((r) => setTimeout(r, 500));
      onB = await fleetOf(b.address);
    }
    expect(onB.followers.map((f) => [f.sidecarId, f.activeVersion])).toEqual([['sc-0', 1]]);
    const p = await runTplus(publishArgs(fx, b.address, holidayPack, 'closure, published plainly'));
    expect(p.code, p.output).toBe(0);
    await sidecar.waitFor('ruleset_active', at(2));
    address = b.address;
    expect(await versions()).toEqual([2, 1]);
  });
});
