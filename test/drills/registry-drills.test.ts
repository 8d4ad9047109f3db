// The registry and calendar drills in short form, each as `tplus drill` in a real child process that
// starts a real registry and following sidecars.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERTS_FILE, readYaml } from '../deploy/deploy-files.js';
import { requiredBinary } from '../deploy/required-binary.js';
import { buildServer } from '../integration/sidecar-process.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { failures, runDrillCli } from './run-drill-cli.js';

const dir = tempDir('tplus-drills-');
const promtool = requiredBinary('promtool', 'PROMTOOL');

/** alerts.yml without the alert `name` (a rules file where the drill's expectation is wrong). */
function rulesWithout(name: string, file: string): string {
  const rules = readYaml<{ groups: { rules: { alert?: string }[] }[] }>(ALERTS_FILE);
  for (const g of rules.groups) g.rules = g.rules.filter((r) => r.alert !== name);
  writeFileSync(file, stringify(rules));
  return file;
}
beforeAll(() => buildServer(), 120_000);
afterAll(() => dir.remove());

describe('tplus drill: registry outages, tampered snapshots, emergency closures and the cutover', () => {
  it('registry-outage: sidecars keep serving version 1, the pending publish lands, the fleet converges', async () => {
    const out = await runDrillCli('registry-outage', `${dir.path}/outage`);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.report.counts.fallback).toBe(0);
    expect(out.report.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['fault_injected', 'publish_pending', 'heal', 'published', 'converged', 'reconciled']),
    );
    // The alert rules saw the sidecars keep serving: nothing pages (the registry's own scrape is not recorded).
    expect(out.report.alertRules?.fired).toEqual([]);
  }, 40_000);

  it.skipIf(promtool.skip)(
    'corrupt-snapshot: the tampered version is rejected and counted, alerts.yml fires TplusSnapshotRejected; only trusted versions are served',
    async () => {
      const out = await runDrillCli('corrupt-snapshot', `${dir.path}/corrupt`);
      expect(failures(out.report), out.stdout + out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.report.facts['rejectReasons']).toEqual(['bad_signature']);
      // Evaluated by promtool over the recorded metrics, not counted by the drill.
      expect(out.report.alertRules?.fired).toEqual(['TplusSnapshotRejected']);
      expect(out.report.expectations.find((e) => e.id === 'alert-rules')?.passed).toBe(true);
      // The promtool input is kept with the report: the sidecars' rejection counters went from 0 to 1.
      const test = parse(out.alertsTest) as { tests: { input_series: { series: string; values: string }[] }[] };
      const rejected =
        test.tests[0]?.input_series.filter(
          (s) => s.series.startsWith('tplus_snapshot_rejected_total') && s.series.includes('reason="bad_signature"'),
        ) ?? [];
      expect(rejected.map((s) => s.values.split(' ').at(-1))).toEqual(['1', '1']);
    },
    40_000,
  );

  it.skipIf(promtool.skip)(
    'the alert check can fail: with TplusSnapshotRejected removed from the rules, the corrupt-snapshot drill fails',
    async () => {
      const rules = rulesWithout('TplusSnapshotRejected', `${dir.path}/alerts-without-rejected.yml`);
      const out = await runDrillCli('corrupt-snapshot', `${dir.path}/corrupt-no-rule`, ['--alert-rules', rules]);
      expect(out.code, out.stdout).toBe(1);
      const check = out.report.expectations.find((e) => e.id === 'alert-rules');
      expect(check?.passed).toBe(false);
      expect(check?.detail).toContain('MISSING TplusSnapshotRejected');
      // Everything else about the drill held: only the alert guard failed.
      expect(failures(out.report).split('\n')).toHaveLength(1);
    },
    40_000,
  );

  it('emergency-holiday: every sidecar answers with the closure, and the impact list names the trades it moves', async () => {
    const out = await runDrillCli('emergency-holiday', `${dir.path}/holiday`);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    const impact = out.report.facts['impact'] as { tradeDate: string; answered: string; withClosure: string }[];
    // 2030-03-12 settled T+1 on 2030-03-13; the closure moves it to 2030-03-14.
    expect(impact).toContainEqual(expect.objectContaining({ tradeDate: '2030-03-12', answered: '2030-03-13', withClosure: '2030-03-14' }));
  }, 40_000);

  it('cutover: 2024-05-24 (T+2) and 2024-05-28 (T+1) both settle on 2024-05-29, every answer equals the core', async () => {
    const out = await runDrillCli('cutover', `${dir.path}/cutover`);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    const dsd = out.report.facts['doubleSettlementDay'] as { tradeDates: { tradeDate: string; cycleDays: number }[] };
    expect(dsd.tradeDates.map((t) => [t.tradeDate, t.cycleDays])).toEqual([
      ['2024-05-24', 2],
      ['2024-05-28', 1],
    ]);
  }, 40_000);
});
