import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ALERT_TESTS_FILE,
  ALERTS_FILE,
  alertRules,
  DEPLOY,
  markdownAnchors,
  readYaml,
  RUNBOOKS_FILE,
  SCRAPE_FILE,
} from './deploy-files.js';
import { pathOf, requiredBinary } from './required-binary.js';

const promtool = requiredBinary('promtool', 'PROMTOOL');

function run(args: string[]): { code: number | null; output: string } {
  const r = spawnSync(pathOf(promtool), args, { cwd: DEPLOY, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(promtool.skip)('promtool on deploy/prometheus', () => {
  it('promtool check rules accepts alerts.yml', () => {
    const r = run(['check', 'rules', ALERTS_FILE]);
    expect(r.output).toContain('SUCCESS');
    expect(r.code, r.output).toBe(0);
  });

  it('promtool test rules passes every alert test case', () => {
    const r = run(['test', 'rules', ALERT_TESTS_FILE]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('promtool check config accepts scrape.yml (and the rule file it loads)', () => {
    const r = run(['check', 'config', SCRAPE_FILE]);
    expect(r.code, r.output).toBe(0);
  });
});

interface AlertTestFile {
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

describe('alert rules are complete and tested', () => {
  const alerts = alertRules();
  const tests = readYaml<AlertTestFile>(ALERT_TESTS_FILE).tests.flatMap((t) => t.alert_rule_test ?? []);

  it('names the alerts issues 7 and 13 ask for', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'TplusAppMetricsDown',
      'TplusAvailabilityBudgetBurnFast',
      'TplusAvailabilityBudgetBurnSlow',
      'TplusCalendarHorizonCritical',
      'TplusCalendarHorizonShort',
      'TplusClientBreakerOpen',
      'TplusClientFallbackInUse',
      'TplusClientLedgerWriteFailing',
      'TplusClientRulesetRejected',
      'TplusClientRulesetStale',
      'TplusLatencyBudgetBurnFast',
      'TplusLatencyBudgetBurnSlow',
      'TplusLocalCopyCorrupt',
      'TplusNoRuleErrorsRising',
      'TplusRegistryCorruptVersion',
      'TplusRegistryDown',
      'TplusRegistryNoWatchers',
      'TplusRegistryNotScraped',
      'TplusRegistryWatchDropped',
      'TplusRolloutNack',
      'TplusRulesetStale',
      'TplusServingOlderVersion',
      'TplusShadowUnexpectedChange',
      'TplusSidecarDown',
      'TplusSidecarNotScraped',
      'TplusSnapshotRejected',
      'TplusSyncFailing',
    ]);
  });

  it.each(alerts.map((a) => [a.alert as string, a] as const))('%s has a test where it fires and one where it stays silent', (name) => {
    const cases = tests.filter((t) => t.alertname === name);
    expect(
      cases.some((t) => (t.exp_alerts ?? []).length > 0),
      `${name} never expected to fire`,
    ).toBe(true);
    expect(
      cases.some((t) => (t.exp_alerts ?? []).length === 0),
      `${name} never expected to stay silent`,
    ).toBe(true);
  });

  it('every alert has a severity, a summary, a description and a runbook section that exists', () => {
    const anchors = markdownAnchors(readFileSync(RUNBOOKS_FILE, 'utf8'));
    for (const a of alerts) {
      expect(['page', 'ticket'], a.alert).toContain(a.labels?.['severity']);
      expect(a.annotations?.['summary'], a.alert).toBeTruthy();
      expect(a.annotations?.['description'], a.alert).toBeTruthy();
      const url = a.annotations?.['runbook_url'] ?? '';
      const [file, anchor] = url.split('#');
      expect(file, a.alert).toBe('docs/runbooks.md');
      expect(anchors.has(anchor ?? ''), `${a.alert}: no section #${anchor} in docs/runbooks.md`).toBe(true);
    }
  });

  it('pages on fallback use, breaker open, sidecar/registry down, NO_RULE, stale ruleset, rejected snapshot, horizon < 30 d and fast SLO burn; tickets the rest', () => {
    const severity = Object.fromEntries(alerts.map((a) => [a.alert, a.labels?.['severity']]));
    expect(severity).toMatchObject({
      TplusClientFallbackInUse: 'page',
      TplusClientBreakerOpen: 'page',
      TplusClientLedgerWriteFailing: 'page',
      TplusClientRulesetStale: 'page',
      TplusClientRulesetRejected: 'page',
      TplusSidecarDown: 'page',
      TplusSidecarNotScraped: 'page',
      TplusNoRuleErrorsRising: 'page',
      TplusCalendarHorizonCritical: 'page',
      TplusCalendarHorizonShort: 'ticket',
      TplusAvailabilityBudgetBurnFast: 'page',
      TplusAvailabilityBudgetBurnSlow: 'ticket',
      TplusLatencyBudgetBurnFast: 'page',
      TplusLatencyBudgetBurnSlow: 'ticket',
      TplusRulesetStale: 'page',
      TplusSnapshotRejected: 'page',
      TplusLocalCopyCorrupt: 'page',
      TplusServingOlderVersion: 'page',
      TplusRegistryCorruptVersion: 'page',
      TplusSyncFailing: 'ticket',
      TplusRegistryDown: 'page',
      TplusRegistryNotScraped: 'ticket',
      TplusRegistryNoWatchers: 'ticket',
      TplusRolloutNack: 'page',
      TplusShadowUnexpectedChange: 'ticket',
    });
    const byName = new Map(alerts.map((a) => [a.alert, a]));
    expect(byName.get('TplusClientBreakerOpen')?.for).toBe('1m');
    expect(byName.get('TplusClientFallbackInUse')?.for).toBeUndefined();
    expect(byName.get('TplusSnapshotRejected')?.for).toBeUndefined();
  });

  it('confines the replication alerts to sidecars that follow a registry (series only they export)', () => {
    const byName = new Map(alerts.map((a) => [a.alert, a]));
    expect(byName.get('TplusRulesetStale')?.expr).toMatch(/tplus_ruleset_staleness_seconds/);
    expect(byName.get('TplusSnapshotRejected')?.expr).toMatch(/tplus_snapshot_rejected_total/);
    expect(byName.get('TplusSyncFailing')?.expr).toMatch(/tplus_sync_failures_total/);
    expect(byName.get('TplusRegistryDown')?.expr).toMatch(/up\{job="tplus-registry"\}/);
    // absent(...) alone would fire in every fleet without a registry
    for (const name of ['TplusRegistryNotScraped', 'TplusRegistryNoWatchers']) {
      expect(byName.get(name)?.expr, name).toMatch(/and on \(\) \(count\(tplus_ruleset_staleness_seconds\) > 0\)/);
    }
  });

  it('scrape.yml has a tplus-registry job whose name the registry alerts use', () => {
    const jobs = readYaml<{ scrape_configs: { job_name: string; static_configs?: { labels?: Record<string, string> }[] }[] }>(
      SCRAPE_FILE,
    ).scrape_configs;
    expect(jobs.map((j) => j.job_name)).toEqual(expect.arrayContaining(['tplus-sidecar', 'tplus-app', 'tplus-registry']));
    expect(jobs.find((j) => j.job_name === 'tplus-registry')?.static_configs?.[0]?.labels).toEqual({ component: 'registry' });
  });
});
