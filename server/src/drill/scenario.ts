import type { DrillRun } from './drill-run.js';
import type { ExpectedAlerts } from './alert-evaluation.js';
import type { SidecarNode } from './drill-fleet.js';
import { standardExpectations, type Expectation } from './drill-expectations.js';

export interface ScenarioResult {
  readonly expectations: readonly Expectation[];
  /** Scenario-specific measurements for the report (convergence times, impact list, ...). */
  readonly facts: Readonly<Record<string, unknown>>;
}

export interface Scenario {
  readonly name: string;
  /** What the drill proves, one sentence (report and docs). */
  readonly proves: string;
  /** What deploy/prometheus/alerts.yml must make of the run's metrics (checked with promtool, not counted). */
  readonly alerts: ExpectedAlerts;
  run(run: DrillRun): Promise<ScenarioResult>;
}

export interface FinishOptions {
  readonly incident: boolean;
  readonly sidecars: readonly SidecarNode[];
  readonly rejectedHashes?: ReadonlySet<string>;
}

/** The standard expectations of a finished run (load stopped, reconcile done). */
export function finishStandard(run: DrillRun, o: FinishOptions): Expectation[] {
  const served = new Set(o.sidecars.flatMap((s) => s.events('ruleset_active').map((l) => String(l['hash']))));
  return standardExpectations({
    records: run.load?.records ?? [],
    ledger: run.client?.ledger.all() ?? [],
    reconciled: run.reconciled,
    alerts: run.alerts.length,
    timeline: run.timeline,
    deadlineMs: run.settings.deadlineMs,
    marginMs: run.settings.marginMs,
    incident: o.incident,
    openWithinMs: 1_000 + run.settings.deadlineMs + run.settings.marginMs,
    rejectedHashes: o.rejectedHashes ?? new Set(),
    servedHashes: served,
  });
}
