import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAlerts, type AlertCheck } from './alert-evaluation.js';
import { corruptSnapshot, registryOutage } from './registry-scenarios.js';
import { canaryRollout } from './canary-rollout.js';
import { cutover, emergencyHoliday } from './calendar-scenarios.js';
import { expectation } from './drill-expectations.js';
import { callSeries, latencyStats, type DrillReport } from './drill-report.js';
import { DRILL_BREAKER, DrillRun, type DrillSettings } from './drill-run.js';
import { sidecarHang, sidecarKill, sidecarSlow } from './sidecar-fault-scenarios.js';
import type { Scenario, ScenarioResult } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [
  sidecarKill,
  sidecarHang,
  sidecarSlow,
  registryOutage,
  corruptSnapshot,
  emergencyHoliday,
  cutover,
  canaryRollout,
];

/** Time a drill may take beyond its duration before it is abandoned as crashed. */
const OVERRUN_MS = 120_000;

/**
 * Runs one scenario end to end in a fresh temporary directory (removed afterwards), always stopping
 * every process it started, and returns its report. A drill that throws or overruns is a failure.
 */
export async function runDrill(scenario: Scenario, settings: Omit<DrillSettings, 'dir'>): Promise<DrillReport> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-drill-'));
  const run = new DrillRun({ ...settings, dir });
  const startedAt = new Date();
  const t0 = performance.now();
  let result: ScenarioResult | null = null;
  let crashed: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let alerts: AlertCheck | null = null;
  try {
    result = await Promise.race([
      scenario.run(run),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the drill did not finish within ${settings.durationMs + OVERRUN_MS} ms`)),
          settings.durationMs + OVERRUN_MS,
        );
      }),
    ]);
    // Recorded up to here: the processes still run, so their shutdown is not part of the incident.
    const recording = await run.recorder.stop();
    if (settings.alertRules !== null) {
      alerts =
        settings.promtool === null
          ? {
              testFile: '',
              fired: null,
              expectation: expectation(
                'alert-rules',
                `alert rules (${settings.alertRules}) over this run's metrics`,
                false,
                'promtool not found: install it (Debian package prometheus), set PROMTOOL, or pass --alert-rules off',
              ),
            }
          : await checkAlerts(recording, scenario.alerts, settings.alertRules, settings.promtool, dir, `drill ${scenario.name}`);
    }
  } catch (err) {
    crashed = err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
    await run.recorder.stop();
    await run.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  const records = run.load?.records ?? [];
  const expectations = [...(result?.expectations ?? []), ...(alerts ? [alerts.expectation] : [])];
  if (crashed !== undefined) expectations.push(expectation('drill-completed', 'the drill ran to the end', false, crashed));
  const timeline = [...run.timeline.events].sort((a, b) => a.atMs - b.atMs);
  const wallMs = performance.now() - t0;
  const bucketMs = settings.durationMs + settings.warmupMs > 20_000 ? 1_000 : 500;
  const by = (o: string): number[] => records.filter((r) => r.outcome === o).map((r) => r.latencyMs);
  const report: DrillReport = {
    scenario: scenario.name,
    proves: scenario.proves,
    passed: crashed === undefined && expectations.length > 0 && expectations.every((e) => e.passed),
    startedAt: startedAt.toISOString(),
    wallMs: Math.round(wallMs),
    settings: {
      durationS: settings.durationMs / 1000,
      rate: settings.rate,
      deadlineMs: settings.deadlineMs,
      marginMs: settings.marginMs,
      warmupMs: settings.warmupMs,
      breaker: DRILL_BREAKER,
      ...(settings.sabotage.size > 0 ? { sabotage: [...settings.sabotage] } : {}),
    },
    timeline,
    counts: {
      calls: records.length,
      service: by('service').length,
      fallback: by('fallback').length,
      error: by('error').length,
      alerts: timeline.filter((e) => e.kind === 'alert').length,
      provisional: run.client?.ledger.all().length ?? 0,
      reconcile: run.reconciled,
    },
    latencyMs: {
      all: latencyStats(records.map((r) => r.latencyMs)),
      service: latencyStats(by('service')),
      fallback: latencyStats(by('fallback')),
      error: latencyStats(by('error')),
    },
    expectations,
    facts: result?.facts ?? {},
    bucketMs,
    series: callSeries(records, timeline, bucketMs),
    ...(alerts === null ? {} : { alertRules: { expected: scenario.alerts, fired: alerts.fired, testFile: alerts.testFile } }),
    ...(crashed === undefined ? {} : { crashed }),
  };
  return report;
}
