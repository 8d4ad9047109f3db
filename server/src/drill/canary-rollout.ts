import { join } from 'node:path';
import type { SettlementRequest } from '@tplus/client-sdk';
import {
  packFiles,
  type GetShadowReportResponseMessage,
  type ListFleetResponseMessage,
  type PublishCandidateResponseMessage,
} from '../registry/index.js';
import { canaryRolloutResult, readShadow, type RolloutSteps } from './canary-rollout-checks.js';
import { packWithClosure } from './drill-fleet.js';
import { allLogged, servesVersion, startFleet } from './drill-fleet-setup.js';
import { sleep, waitUntil } from './drill-run.js';
import { compileRuleset, tradingDays } from './drill-trades.js';
import { FleetLoad } from './fleet-load.js';
import type { Scenario } from './scenario.js';

/** Four sidecars: two canaries, two main, on two sites. The sabotaged run skews the last one. */
const LABELS = ['site=ny,role=canary', 'site=ld,role=canary', 'site=ny,role=main', 'site=ld,role=main'] as const;
const ALL = [0, 1, 2, 3];
const CANARIES = [0, 1];
/** The candidate closes US settlement on 2030-03-13: a trade of 2030-03-12 settles a day later (declared). */
const CLOSURE = '2030-03-13';
const MOVED = '2030-03-12';
const DECLARED = '2030-03-12..2030-03-13';
const PROBE = { tradeDate: MOVED, assetClass: 'EQUITY', market: 'XNYS' };
/** Bound of every wait for the fleet (shadow held, canaries active, promote reached every sidecar). */
const STEP_MS = 10_000;

export const canaryRollout: Scenario = {
  name: 'canary-rollout',
  proves:
    'a candidate (an emergency closure, declared with --expect-changes) is shadowed by four labelled sidecars under trade-capture load, served by the role=canary ones after rollout, and promoted everywhere once the shadow counts are clean; trade capture never sees a blocked call or a batch mixing two versions.',
  alerts: { fire: [] },
  async run(run) {
    const s = run.settings;
    const skew = s.sabotage.has('candidate-skew');
    const fleet = await startFleet(run, LABELS.length, (i) => [
      '--sidecar-id',
      `sidecar-${i + 1}`,
      '--labels',
      LABELS[i] ?? '',
      '--rollout-report-ms',
      '250',
      ...(skew && i === LABELS.length - 1 ? ['--allow-drills', '--drill-candidate-fault', 'skew'] : []),
    ]);
    const liveVersion = fleet.v1.version.version;
    const candidatePack = packWithClosure(s.rulesDir, join(s.dir, 'pack-candidate'), CLOSURE, 'Drill closure');
    const live = compileRuleset(s.rulesDir, liveVersion);
    const candidate = compileRuleset(candidatePack);
    const same = (d: string): boolean =>
      live.decide(d, 'EQUITY', 'XNYS').settlementDate === candidate.decide(d, 'EQUITY', 'XNYS').settlementDate;
    const unmoved = tradingDays(live, 'XNYS', 'EQUITY', '2030-06-03', '2030-06-28').filter(same);
    // Each sidecar gets (round robin) four trades of the moved date, then four of unmoved dates, and so on.
    const trade = (seq: number): SettlementRequest => ({
      tradeDate: Math.floor(seq / 4) % 2 === 0 ? MOVED : (unmoved[Math.floor(seq / 8) % unmoved.length] as string),
      assetClass: 'EQUITY',
      market: 'XNYS',
    });
    const load = new FleetLoad(run, fleet.sidecars, {
      rate: s.rate,
      maxMs: s.warmupMs + s.durationMs + 6 * STEP_MS,
      batchEveryMs: 250,
      batchItems: 8,
      trade,
    });
    // Every follower reports its labels before load starts (this also loads the rollout proto in this
    // process now, not in the middle of the load that measures trade capture's latency).
    const listed = await waitUntil(
      async () => (await fleet.registry.call<ListFleetResponseMessage>('ListFleet', {})).followers.length === LABELS.length,
      STEP_MS,
      200,
    );
    s.progress(`fleet: ${listed ? 'all' : 'NOT all'} ${LABELS.length} sidecars listed by the registry with their labels`);
    await load.start();
    await sleep(s.warmupMs);

    const published = await fleet.registry.call<PublishCandidateResponseMessage>('PublishCandidate', {
      files: packFiles(candidatePack),
      reason: `drill: closure ${CLOSURE} as a candidate`,
      author: 'tplus-drill',
      expectChanges: [DECLARED],
    });
    const version = published.version?.version ?? 0;
    run.timeline.mark('candidate_published', `version ${version}, --expect-changes ${DECLARED}; live stays ${published.liveVersion}`);
    const shadowHeld = await allLogged(fleet.sidecars, 'shadow_held', version, STEP_MS);
    run.timeline.mark('shadow_held', `${shadowHeld}/${fleet.sidecars.length} sidecars hold version ${version} as shadow`);
    await sleep(s.durationMs / 2);

    await fleet.registry.call('StartRollout', { version, selector: { role: 'canary' }, percent: 0, reason: 'drill: canaries first' });
    run.timeline.mark('rollout', `version ${version} to selector role=canary`);
    const canariesActive = await servesVersion(fleet, CANARIES, version, PROBE, STEP_MS);
    const canariesAt = run.timeline.mark('canaries_active', canariesActive ? `sidecar-1, sidecar-2 answer from ${version}` : 'NOT active');
    await sleep(s.durationMs / 2);

    // What the drill can reach in its duration: half the single calls of the run (batches add more).
    const minShadowDecisions = Math.max(10, Math.floor((s.rate * s.durationMs) / 2_000));
    const report = (): Promise<GetShadowReportResponseMessage> => fleet.registry.call('GetShadowReport', { version });
    const total = (r: GetShadowReportResponseMessage): number =>
      (r.totals?.same ?? 0) + (r.totals?.expectedChange ?? 0) + (r.totals?.unexpectedChange ?? 0) + (r.totals?.error ?? 0);
    await waitUntil(async () => total(await report()) >= minShadowDecisions, STEP_MS, 250);
    const perSidecar = await Promise.all(fleet.sidecars.map(async (n) => ({ name: n.name, ...readShadow(await n.metrics()) })));
    const fleetReport = await report();
    const promoteAt = run.timeline.mark('promote', `version ${version} with --min-shadow-decisions ${minShadowDecisions}`);
    let refused: string | null = null;
    await fleet.registry
      .call('Promote', { version, minShadowDecisions, force: false, reason: 'drill: canaries and shadow clean' })
      .catch((e: unknown) => (refused = e instanceof Error ? e.message : String(e)));
    let settled: boolean;
    if (refused === null) {
      settled = await servesVersion(fleet, ALL, version, PROBE, STEP_MS);
    } else {
      run.timeline.mark('promote_refused', refused);
      await fleet.registry.call('Abort', { version, reason: 'drill: promote refused' });
      run.timeline.mark('aborted', `version ${version}`);
      settled = await servesVersion(fleet, ALL, liveVersion, PROBE, STEP_MS);
    }
    const settledAt = run.timeline.mark(
      refused === null ? 'all_active' : 'back_on_live',
      `${settled ? 'every' : 'NOT every'} sidecar answers from ${refused === null ? version : liveVersion}`,
    );
    await sleep(1_000);
    await load.stop();
    await run.reconcile();
    const steps: RolloutSteps = {
      liveVersion,
      version,
      declared: DECLARED,
      labels: LABELS,
      moved: MOVED,
      rulesets: new Map([
        [liveVersion, live],
        [version, candidate],
      ]),
      shadowHeld,
      canariesActive,
      canariesAtMs: canariesAt.atMs,
      promoteAtMs: promoteAt.atMs,
      settled,
      settledAtMs: settledAt.atMs,
      refused,
      minShadowDecisions,
      perSidecar,
      fleetShadow: fleetReport.totals,
      fleetFollowers: fleetReport.followers,
    };
    return canaryRolloutResult(run, fleet, load, steps);
  },
};
