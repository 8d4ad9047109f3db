// The sidecar fault drills in short form (2 s fault, 40 calls/s), each as `tplus drill` in a real
// child process that itself starts real sidecar processes; plus one drill sabotaged to fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../integration/sidecar-process.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { failures, runDrillCli } from './run-drill-cli.js';

const dir = tempDir('tplus-drills-');
beforeAll(() => buildServer(), 120_000);
afterAll(() => dir.remove());

const CORE_TIMELINE = ['fault_injected', 'first_fallback', 'breaker_open', 'alert', 'heal', 'half_open', 'closed', 'reconciled'];

describe('tplus drill: sidecar faults reach trade capture only as provisional, alerted, reconciled answers', () => {
  for (const scenario of ['sidecar-kill', 'sidecar-hang', 'sidecar-slow']) {
    it(`${scenario}: exits 0, every expectation passes, the report has the full timeline, latencies and the chart`, async () => {
      const out = await runDrillCli(scenario, `${dir.path}/${scenario}`);
      expect(failures(out.report), out.stdout + out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout).toContain(`tplus drill ${scenario}: PASS`);
      const kinds = out.report.timeline.map((e) => e.kind);
      for (const k of CORE_TIMELINE) expect(kinds, k).toContain(k);
      expect(out.report.counts.fallback).toBeGreaterThan(0);
      expect(out.report.counts.error).toBe(0);
      expect(out.report.latencyMs.all.max).toBeLessThanOrEqual(250 + 150);
      expect(out.report.series.some((b) => b.breaker === 'open')).toBe(true);
      expect(out.markdown).toContain('| PASS |');
      expect(out.markdown).toContain('](timeline.svg)');
      expect(out.svg.startsWith('<svg')).toBe(true);
      expect(out.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(out.svg).toContain('fill="#f9a825"'); // fallback bars
      // alerts.yml, evaluated by promtool over the run's metrics, pages for the provisional answers.
      if (out.alertsTest !== '') expect(out.report.alertRules?.fired).toContain('TplusClientFallbackInUse');
    }, 40_000);
  }

  it('a broken expectation fails the drill: with the fallback sabotaged, infrastructure errors surface and the exit code is 1', async () => {
    const out = await runDrillCli('sidecar-kill', `${dir.path}/sabotaged`, ['--sabotage', 'fallback-off']);
    expect(out.code).toBe(1);
    expect(out.report.passed).toBe(false);
    expect(out.stdout).toContain('tplus drill sidecar-kill: FAIL');
    const failed = out.report.expectations.filter((e) => !e.passed).map((e) => e.id);
    expect(failed).toContain('zero-errors');
    expect(out.report.counts.error).toBeGreaterThan(0);
    expect(out.markdown).toContain('**FAIL**');
  }, 40_000);
});
