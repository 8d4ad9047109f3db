import { join } from 'node:path';
import type { PublishResponseMessage } from '../registry/index.js';
import { expectation } from './drill-expectations.js';
import { makeKeys, metricValue, packWithClosure, RegistryNode } from './drill-fleet.js';
import { installed, startFleet } from './drill-fleet-setup.js';
import { sleep, waitUntil } from './drill-run.js';
import { compileRuleset, cyclingTrades, tradingDays } from './drill-trades.js';
import { finishStandard, type Scenario } from './scenario.js';

const CONVERGE_WITHIN_MS = 10_000;

export const registryOutage: Scenario = {
  name: 'registry-outage',
  proves:
    'with the registry killed while a publish is pending, every sidecar keeps serving its last good version (trade capture never notices), and the fleet converges on the new version after the registry restarts.',
  alerts: { fire: [] },
  async run(run) {
    const s = run.settings;
    const fleet = await startFleet(run, 2);
    const days = tradingDays(compileRuleset(s.rulesDir), 'XNYS', 'EQUITY', '2024-01-02', '2024-12-31');
    const probeTrade = { tradeDate: '2024-06-03', assetClass: 'EQUITY', market: 'XNYS' };
    await run.startLoad(fleet.sidecars[0]?.address ?? '', cyclingTrades(days), s.warmupMs + s.durationMs + 30_000);
    await sleep(s.warmupMs);
    const fault = run.timeline.mark('fault_injected', 'SIGKILL the registry');
    await fleet.registry.stop('SIGKILL');
    // The next pack (an emergency closure far from the traded dates) waits for the registry.
    const next = packWithClosure(s.rulesDir, join(s.dir, 'pack-v2'), '2030-03-13', 'Drill closure');
    run.timeline.mark('publish_pending', 'version 2 queued, retried every 250 ms');
    let published: PublishResponseMessage | null = null;
    let attempts = 0;
    const publishing = (async () => {
      const end = performance.now() + s.durationMs + 30_000;
      while (published === null && performance.now() < end) {
        attempts++;
        published = await fleet.registry.publish(next, 'drill: published during a registry outage', 1_000).catch(() => null);
        if (published === null) await sleep(250);
      }
      if (published) run.timeline.mark('published', `version ${published.version.version} after ${attempts} attempts`);
    })();
    let probesFailed = 0;
    let probes = 0;
    const outageEnd = performance.now() + s.durationMs;
    while (performance.now() < outageEnd) {
      for (let i = 0; i < fleet.sidecars.length; i++) {
        probes++;
        const r = await fleet.probe(i, probeTrade);
        if (r instanceof Error || r.rulesetVersion !== 1) probesFailed++;
      }
      await sleep(200);
    }
    await fleet.registry.start();
    const heal = run.timeline.mark('heal', 'registry restarted on its data dir');
    await publishing;
    const converged = await installed(fleet.sidecars, 2, CONVERGE_WITHIN_MS);
    const convergedAt = run.timeline.mark('converged', converged ? 'every sidecar installed version 2' : 'NOT converged');
    await sleep(1_000);
    await run.stopLoad();
    await run.reconcile();
    const during = (run.load?.records ?? []).filter((r) => r.startedMs >= fault.atMs && r.startedMs < heal.atMs);
    const lastGood = during.filter((r) => r.outcome === 'service' && r.details?.rulesetVersion === 1).length;
    const after = (run.load?.records ?? []).filter((r) => r.startedMs > convergedAt.atMs && r.details?.rulesetVersion === 2).length;
    return {
      expectations: [
        ...finishStandard(run, { incident: false, sidecars: fleet.sidecars }),
        expectation(
          'kept-last-good',
          'during the outage every sidecar answered from its last good version (1)',
          probesFailed === 0 && during.length > 0 && lastGood === during.length,
          `${lastGood}/${during.length} trade-capture answers at version 1; ${probes - probesFailed}/${probes} probes of every sidecar`,
        ),
        expectation(
          'pending-publish-landed',
          'the publish pending during the outage landed after the restart',
          published !== null,
          published ? `version 2 after ${attempts} attempts` : `not published after ${attempts} attempts`,
        ),
        expectation(
          'converged',
          `every sidecar converged on version 2 within ${CONVERGE_WITHIN_MS} ms of the restart`,
          converged && after > 0,
          `converged ${convergedAt.atMs - heal.atMs} ms after the restart; ${after} answers at version 2 afterwards`,
        ),
      ],
      facts: { sidecars: fleet.sidecars.length, publishAttempts: attempts, convergedAfterRestartMs: convergedAt.atMs - heal.atMs },
    };
  },
};

export const corruptSnapshot: Scenario = {
  name: 'corrupt-snapshot',
  proves:
    'a tampered snapshot (a registry impostor signing with a key the sidecars do not trust) is rejected, counted in tplus_snapshot_rejected_total and alerted (TplusSnapshotRejected); the last good version keeps serving; the real registry then delivers normally.',
  alerts: { fire: ['TplusSnapshotRejected'] },
  async run(run) {
    const s = run.settings;
    const fleet = await startFleet(run, 2);
    const trusted = new Set([fleet.v1.version.sha256]);
    const days = tradingDays(compileRuleset(s.rulesDir), 'XNYS', 'EQUITY', '2024-01-02', '2024-12-31');
    await run.startLoad(fleet.sidecars[0]?.address ?? '', cyclingTrades(days), s.warmupMs + s.durationMs + 40_000);
    await sleep(s.warmupMs);
    const rejectedBefore = await rejectedTotal(fleet.sidecars);
    // The impostor takes over the registry's socket with its own key and offers a tampered version 2.
    await fleet.registry.stop();
    // It accepts the fleet's tokens (it sits where the registry was); only its signing key differs.
    const impostorKeys = {
      ...makeKeys(join(s.dir, 'impostor-keys')),
      tokensFile: fleet.keys.tokensFile,
      publishToken: fleet.keys.publishToken,
    };
    const impostor = new RegistryNode('impostor-registry', join(s.dir, 'impostor'), impostorKeys, fleet.registry.address);
    run.onCleanup(() => impostor.stop());
    await impostor.start();
    await impostor.publish(s.rulesDir, 'impostor: copy of version 1');
    const tampered = await impostor.publish(
      packWithClosure(s.rulesDir, join(s.dir, 'pack-tampered'), '2030-03-14', 'Tampered closure'),
      'impostor: tampered version 2',
    );
    const fault = run.timeline.mark(
      'fault_injected',
      `impostor registry offers version ${tampered.version.version} signed by an untrusted key`,
    );
    // Whether this pages is for the alert rules to say (TplusSnapshotRejected, evaluated on the recorded
    // metrics after the run); here only the counter is watched, to mark when it first moved.
    const firstRejection = await waitUntil(async () => (await rejectedTotal(fleet.sidecars)) > rejectedBefore, 10_000, 100);
    run.timeline.mark(
      'rejection_counted',
      firstRejection ? 'tplus_snapshot_rejected_total increased' : 'tplus_snapshot_rejected_total did NOT increase',
    );
    const allRejected = await waitUntil(() => fleet.sidecars.every((n) => n.events('snapshot_rejected').length > 0), 10_000, 100);
    run.timeline.mark('snapshot_rejected', allRejected ? 'every sidecar rejected it' : 'NOT every sidecar rejected it');
    await sleep(Math.max(0, s.durationMs - (run.timeline.now() - fault.atMs)));
    const perSidecar = await Promise.all(fleet.sidecars.map(async (n) => metricValue(await n.metrics(), 'tplus_snapshot_rejected_total')));
    await impostor.stop();
    await fleet.registry.start();
    const v2 = await fleet.registry.publish(
      packWithClosure(s.rulesDir, join(s.dir, 'pack-v2'), '2030-03-13', 'Drill closure'),
      'drill: real version 2',
    );
    trusted.add(v2.version.sha256);
    const heal = run.timeline.mark('heal', 'the real registry is back and publishes version 2');
    const converged = await installed(fleet.sidecars, 2, CONVERGE_WITHIN_MS);
    run.timeline.mark('converged', converged ? 'every sidecar installed the real version 2' : 'NOT converged');
    await sleep(500);
    await run.stopLoad();
    await run.reconcile();
    const during = (run.load?.records ?? []).filter((r) => r.startedMs >= fault.atMs && r.startedMs < heal.atMs);
    const keptV1 = during.filter((r) => r.details?.rulesetHash === fleet.v1.version.sha256).length;
    const reasons = [...new Set(fleet.sidecars.flatMap((n) => n.events('snapshot_rejected').map((l) => String(l['reason']))))];
    const untrusted = (run.load?.records ?? []).filter((r) => r.outcome === 'service' && !trusted.has(r.details?.rulesetHash ?? '')).length;
    return {
      expectations: [
        ...finishStandard(run, { incident: false, sidecars: fleet.sidecars, rejectedHashes: new Set([tampered.version.sha256]) }),
        expectation(
          'snapshot-rejected',
          'every sidecar rejected the tampered snapshot and counted it (tplus_snapshot_rejected_total)',
          allRejected && perSidecar.every((v) => v > 0),
          `reasons ${reasons.join(', ') || 'none'}; counter per sidecar ${perSidecar.join(', ')}`,
        ),
        expectation(
          'kept-last-good',
          'the last good version kept serving while the tampered one was offered',
          during.length > 0 && keptV1 === during.length,
          `${keptV1}/${during.length} answers from version 1 (sha256 ${fleet.v1.version.sha256.slice(0, 12)})`,
        ),
        expectation(
          'only-trusted-served',
          'every answer came from a version the trusted registry signed; the real version 2 installed afterwards',
          untrusted === 0 && converged,
          `${untrusted} answers from an untrusted version; converged: ${converged}`,
        ),
      ],
      facts: { tamperedSha256: tampered.version.sha256, rejectReasons: reasons, rejectedPerSidecar: perSidecar },
    };
  },
};

async function rejectedTotal(sidecars: readonly { metrics(): Promise<string> }[]): Promise<number> {
  const texts = await Promise.all(sidecars.map((n) => n.metrics()));
  return texts.reduce((sum, t) => sum + metricValue(t, 'tplus_snapshot_rejected_total'), 0);
}
