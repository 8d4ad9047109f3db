import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corruptSnapshot, registryOutage } from './registry-scenarios.js';
import { cutover, emergencyHoliday } from './calendar-scenarios.js';
import { expectation } from './drill-expectations.js';
import { callSeries, latencyStats, type DrillReport } from './drill-report.js';
import { DRILL_BREAKER, DrillRun, type DrillSettings } from './drill-run.js';
import { sidecarHang, sidecarKill, sidecarSlow } from './sidecar-fault-scenarios.js';
import type { Scenario, ScenarioResult } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [sidecarKill, sidecarHang, sidecarSlow, registryOutage, corruptSnapshot, emergencyHoliday, cutover];

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
  try {
    result = await Promise.race([
      scenario.run(run),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the drill did not finish within ${settings.durationMs + OVERRUN_MS} ms`)), settings.durationMs + OVERRUN_MS);
      }),
    ]);
  } catch (err) {
    crashed = err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
    await run.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  const records = run.load?.records ?? [];
  const expectations = [...(result?.expectations ?? [])];
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
    latencyMs: { all: latencyStats(records.map((r) => r.latencyMs)), service: latencyStats(by('service')), fallback: latencyStats(by('fallback')), error: latencyStats(by('error')) },
    expectations,
    facts: result?.facts ?? {},
    bucketMs,
    series: callSeries(records, timeline, bucketMs),
    ...(crashed === undefined ? {} : { crashed }),
  };
  return report;
}
