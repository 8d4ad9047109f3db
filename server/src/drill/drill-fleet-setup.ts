import { join } from 'node:path';
import { createSettlementClient, type SettlementClient, type SettlementDetails, type SettlementRequest } from '@tplus/client-sdk';
import type { PublishResponseMessage } from '../registry/index.js';
import { makeKeys, RegistryNode, SidecarNode, type DrillKeys } from './drill-fleet.js';
import { waitUntil, type DrillRun } from './drill-run.js';

export interface Fleet {
  readonly keys: DrillKeys;
  readonly registry: RegistryNode;
  readonly sidecars: readonly SidecarNode[];
  readonly v1: PublishResponseMessage;
  /** One client per sidecar, fallback off: a probe that sees exactly what that sidecar answers. */
  probe(index: number, request: SettlementRequest): Promise<SettlementDetails | Error>;
}

/** A registry with the bundled pack as version 1 and `count` sidecars following it (sidecar i also gets `extraArgs(i)`). */
export async function startFleet(run: DrillRun, count: number, extraArgs: (i: number) => readonly string[] = () => []): Promise<Fleet> {
  const s = run.settings;
  const keys = makeKeys(join(s.dir, 'trusted'));
  const registry = new RegistryNode('registry', join(s.dir, 'registry'), keys, `unix:${join(s.dir, 'registry.sock')}`);
  run.onCleanup(() => registry.stop());
  await registry.start();
  const v1 = await registry.publish(s.rulesDir, 'drill: initial pack');
  const follow = ['--registry', registry.address, '--registry-public-key', keys.publicKeyFile, '--registry-token-file', keys.readTokenFile];
  const sidecars = Array.from(
    { length: count },
    (_, i) => new SidecarNode(`sidecar-${i + 1}`, join(s.dir, `sidecar-${i + 1}`), [...follow, ...extraArgs(i)]),
  );
  for (const node of sidecars) {
    run.onCleanup(() => node.stop());
    run.scrape(node);
  }
  await Promise.all(sidecars.map((n) => n.start()));
  const probes: SettlementClient[] = sidecars.map((n) =>
    createSettlementClient({ address: n.address, deadlineMs: 1_000, fallback: false }),
  );
  for (const p of probes) run.onCleanup(() => p.close());
  s.progress(`fleet: registry + ${count} following sidecar(s) at version ${v1.version.version}`);
  return {
    keys,
    registry,
    sidecars,
    v1,
    probe: (i, request) =>
      (probes[i] as SettlementClient)
        .getSettlementDateDetails(request)
        .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
  };
}

/** ms until every sidecar logs `snapshot_installed` of `version` (null for those that did not within the timeout). */
export async function installed(sidecars: readonly SidecarNode[], version: number, timeoutMs: number): Promise<boolean> {
  const all = await Promise.all(
    sidecars.map(
      (n) =>
        n.child
          ?.waitFor('snapshot_installed', (l) => l['version'] === version, timeoutMs)
          .then(
            () => true,
            () => false,
          ) ?? Promise.resolve(false),
    ),
  );
  return all.every(Boolean);
}

/** How many of `sidecars` log `event` of `version` within the timeout (a line already logged counts). */
export async function allLogged(sidecars: readonly SidecarNode[], event: string, version: number, timeoutMs: number): Promise<number> {
  const seen = await Promise.all(
    sidecars.map((n) =>
      (n.child?.waitFor(event, (l) => l['version'] === version, timeoutMs) ?? Promise.reject(new Error('not started'))).then(
        () => true,
        () => false,
      ),
    ),
  );
  return seen.filter(Boolean).length;
}

/** Until each of the sidecars `which` answers `probe` from `version` (false after the timeout). */
export function servesVersion(
  fleet: Fleet,
  which: readonly number[],
  version: number,
  probe: SettlementRequest,
  timeoutMs: number,
): Promise<boolean> {
  return waitUntil(
    async () =>
      (await Promise.all(which.map((i) => fleet.probe(i, probe)))).every((r) => !(r instanceof Error) && r.rulesetVersion === version),
    timeoutMs,
    100,
  );
}
