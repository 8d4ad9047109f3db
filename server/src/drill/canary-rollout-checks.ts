import type { Ruleset } from '@tplus/core';
import type { ShadowTotalsMessage } from '../registry/index.js';
import { expectation, type Expectation } from './drill-expectations.js';
import { metricValue } from './drill-fleet.js';
import type { Fleet } from './drill-fleet-setup.js';
import type { DrillRun } from './drill-run.js';
import type { FleetLoad } from './fleet-load.js';
import type { CallRecord } from './load-generator.js';
import { finishStandard, type ScenarioResult } from './scenario.js';

export interface ShadowCounts {
  readonly same: number;
  readonly expectedChange: number;
  readonly unexpectedChange: number;
  readonly error: number;
}

/** A sidecar's tplus_shadow_decisions_total by outcome, from its /metrics text. */
export function readShadow(text: string): ShadowCounts {
  const n = (outcome: string): number => metricValue(text, 'tplus_shadow_decisions_total', `outcome="${outcome}"`);
  return { same: n('same'), expectedChange: n('expected_change'), unexpectedChange: n('unexpected_change'), error: n('error') };
}

/** What the canary-rollout drill did and saw, step by step (times in ms since load start). */
export interface RolloutSteps {
  readonly liveVersion: number;
  readonly version: number;
  readonly declared: string;
  readonly moved: string;
  /** Each sidecar's --labels, in fleet order (the first two are the canaries). */
  readonly labels: readonly string[];
  /** The core's ruleset of each version, to check every answer against. */
  readonly rulesets: ReadonlyMap<number, Ruleset>;
  readonly shadowHeld: number;
  readonly canariesActive: boolean;
  readonly canariesAtMs: number;
  readonly promoteAtMs: number;
  /** Promoted and on every sidecar, or (refused) aborted and every sidecar back on live. */
  readonly settled: boolean;
  readonly settledAtMs: number;
  /** The registry's refusal of promote; null when promoted. */
  readonly refused: string | null;
  readonly minShadowDecisions: number;
  readonly perSidecar: readonly (ShadowCounts & { readonly name: string })[];
  readonly fleetShadow: ShadowTotalsMessage | null;
  readonly fleetFollowers: number;
}

const shadowText = (c: ShadowCounts): string =>
  `same ${c.same}, expected_change ${c.expectedChange}, unexpected_change ${c.unexpectedChange}, error ${c.error}`;

/** The drill's expectations and facts: the standard ones plus what a canary rollout must show. */
export function canaryRolloutResult(run: DrillRun, fleet: Fleet, load: FleetLoad, x: RolloutSteps): ScenarioResult {
  const names = fleet.sidecars.map((n) => n.name);
  const served = (run.load?.records ?? []).filter((r) => r.outcome === 'service' && r.details !== undefined);
  const at = (r: CallRecord): number => r.details?.rulesetVersion ?? 0;
  const on = (r: CallRecord, which: readonly number[]): boolean => which.includes(load.sidecarOf(r.seq));
  const count = (rs: readonly CallRecord[], v: number): string => `${rs.filter((r) => at(r) === v).length}/${rs.length} at version ${v}`;

  const canary = served.filter((r) => on(r, [0, 1]) && r.startedMs >= x.canariesAtMs && r.startedMs < x.promoteAtMs);
  const newDate = x.rulesets.get(x.version)?.decide(x.moved, 'EQUITY', 'XNYS').settlementDate;
  const oldDate = x.rulesets.get(x.liveVersion)?.decide(x.moved, 'EQUITY', 'XNYS').settlementDate;
  const movedOnCanary = canary.filter((r) => r.request.tradeDate === x.moved && r.details?.settlementDate === newDate).length;
  const main = served.filter((r) => on(r, [2, 3]) && r.startedMs < x.promoteAtMs);
  const after = served.filter((r) => r.startedMs >= x.settledAtMs);
  const afterBySidecar = names.map((_, i) => after.filter((r) => load.sidecarOf(r.seq) === i).length);
  const wrong = served.filter(
    (r) =>
      x.rulesets.get(at(r))?.decide(r.request.tradeDate, r.request.assetClass, r.request.market).settlementDate !==
      r.details?.settlementDate,
  );
  const f = x.fleetShadow ?? { same: 0, expectedChange: 0, unexpectedChange: 0, error: 0, dropped: 0 };
  const mains = x.perSidecar.slice(2);
  const fleetDecisions = f.same + f.expectedChange + f.unexpectedChange + f.error;
  const batches = load.batches;
  const mixed = batches.filter((b) => new Set(b.versions).size > 1).length;
  const batchBad = batches.reduce((n, b) => n + b.fallbacks + b.errors, 0);
  const batchMax = batches.reduce((m, b) => Math.max(m, b.latencyMs), 0);
  const bound = run.settings.deadlineMs + run.settings.marginMs;

  const expectations: Expectation[] = [
    ...finishStandard(run, { incident: false, sidecars: fleet.sidecars }),
    expectation(
      'candidate-shadowed',
      `every sidecar verified candidate ${x.version} and held it as shadow`,
      x.shadowHeld === names.length,
      `${x.shadowHeld}/${names.length} logged shadow_held`,
    ),
    expectation(
      'canaries-serve-candidate',
      `after the rollout the role=canary sidecars answered from ${x.version}, with the declared change (${x.moved}: ${oldDate} → ${newDate})`,
      x.canariesActive && canary.length > 0 && canary.every((r) => at(r) === x.version) && movedOnCanary > 0 && newDate !== oldDate,
      `${count(canary, x.version)}; ${movedOnCanary} trades of ${x.moved} settled ${newDate}`,
    ),
    expectation(
      'others-serve-live',
      `until promote the role=main sidecars answered from live ${x.liveVersion}`,
      main.length > 0 && main.every((r) => at(r) === x.liveVersion),
      count(main, x.liveVersion),
    ),
    expectation(
      'shadow-clean',
      'the role=main sidecars counted shadow decisions, same and expected_change > 0, unexpected_change = 0 (and fleet-wide)',
      mains.every((c) => c.same > 0 && c.expectedChange > 0 && c.unexpectedChange === 0) &&
        f.unexpectedChange === 0 &&
        f.expectedChange > 0,
      `${x.perSidecar.map((c) => `${c.name} ${shadowText(c)}`).join('; ')}; fleet (shadow-report over ${x.fleetFollowers} followers) ${shadowText(f)}`,
    ),
    expectation(
      'promoted',
      `promote with --min-shadow-decisions ${x.minShadowDecisions} (no --force) was accepted and reached every sidecar`,
      x.refused === null && x.settled,
      x.refused ??
        `${fleetDecisions} shadow decisions counted fleet-wide; every sidecar answered from ${x.version} ${x.settledAtMs - x.promoteAtMs} ms after promote`,
    ),
    x.refused === null
      ? expectation(
          'all-serve-new',
          `after promote every sidecar answered from ${x.version}`,
          x.settled && after.every((r) => at(r) === x.version) && afterBySidecar.every((n) => n > 0),
          `${count(after, x.version)}; per sidecar ${afterBySidecar.join(', ')}`,
        )
      : expectation(
          'back-on-live',
          `after the refusal the candidate was aborted and every sidecar answered from live ${x.liveVersion}`,
          x.settled && after.every((r) => at(r) === x.liveVersion) && afterBySidecar.every((n) => n > 0),
          `${count(after, x.liveVersion)}; per sidecar ${afterBySidecar.join(', ')}`,
        ),
    expectation(
      'answers-match-version',
      "every answer equals the core's answer for the version it names",
      served.length > 0 && wrong.length === 0,
      `${wrong.length}/${served.length} differ${wrong[0] ? `, first: ${wrong[0].request.tradeDate} → ${wrong[0].details?.settlementDate} at ${at(wrong[0])}` : ''}`,
    ),
    expectation(
      'batches-one-version',
      `no batch mixed two ruleset versions; every batch answered by the service within ${bound} ms`,
      batches.length > 0 && mixed === 0 && batchBad === 0 && batchMax <= bound,
      `${batches.length} batches, ${mixed} mixed, ${batchBad} items fallback or error, max ${batchMax.toFixed(1)} ms`,
    ),
  ];
  return {
    expectations,
    facts: {
      liveVersion: x.liveVersion,
      candidateVersion: x.version,
      declared: x.declared,
      labels: Object.fromEntries(names.map((n, i) => [n, x.labels[i] ?? ''])),
      callsPerSidecar: Object.fromEntries(names.map((n, i) => [n, served.filter((r) => load.sidecarOf(r.seq) === i).length])),
      versionsSeen: load.versionsSeen(names),
      shadowPerSidecar: x.perSidecar,
      fleetShadow: f,
      minShadowDecisions: x.minShadowDecisions,
      promoteMs: x.settledAtMs - x.promoteAtMs,
      ...(x.refused === null ? {} : { promoteRefused: x.refused }),
      batches: batches.length,
      batchItems: batches.reduce((n, b) => n + b.versions.length + b.fallbacks + b.errors, 0),
      mixedBatches: mixed,
    },
  };
}
