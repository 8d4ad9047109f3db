import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementClient } from '../../client-sdk/src/index.js';
import { closedPort } from '../support/free-port.js';
import { ALERTS_FILE, DASHBOARD_FILE, readYaml, type RuleFile } from './deploy-files.js';
import { startLiveFleet, type LiveFleet } from './live-registry.js';
import { startLiveSidecar, type LiveSidecar } from './live-sidecar.js';
import {
  allPanels,
  dashboardExpressions,
  exportedMetricNames,
  metricNamesInPromQL,
  PROMETHEUS_SYNTHETIC,
  ruleExpressions,
  unknownMetrics,
  type PromQLRef,
} from './promql-metric-names.js';

// Every metric that deploy/prometheus/alerts.yml and deploy/grafana/tplus-dashboard.json query must be
// exported by a running sidecar, a running registry, a sidecar following that registry, or the SDK (or
// be recorded by a rule, or be Prometheus' own `up`).

let sidecar: LiveSidecar;
let fleet: LiveFleet;
let sidecarText = '';
let registryText = '';
let followerText = '';
let sdkText = '';
let known = new Set<string>();
const rules = ruleExpressions(readYaml<RuleFile>(ALERTS_FILE));
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Record<string, unknown> & Parameters<typeof dashboardExpressions>[0];

beforeAll(async () => {
  [sidecar, fleet] = await Promise.all([startLiveSidecar(), startLiveFleet()]);
  sidecarText = await (await fetch(sidecar.metricsUrl)).text();
  registryText = await (await fetch(fleet.registryMetricsUrl)).text();
  followerText = await (await fetch(fleet.followerMetricsUrl)).text();
  // The SDK against a closed port: the call falls back, so every SDK metric has a sample.
  const registry = new Registry();
  const client = createSettlementClient({ address: `127.0.0.1:${await closedPort()}`, deadlineMs: 200, registry });
  try {
    const d = await client.getSettlementDateDetails({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' });
    expect(d.source).toBe('fallback');
  } finally {
    await client.close();
  }
  // An in-process client synced from the running sidecar: its ruleset metrics.
  const inProcessRegistry = new Registry();
  const inProcess = createSettlementClient({ address: sidecar.address, mode: 'in-process', registry: inProcessRegistry });
  try {
    await inProcess.ready({ timeoutMs: 10_000 });
    expect(inProcess.decideSync({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' }).source).toBe('in-process');
  } finally {
    await inProcess.close();
  }
  sdkText = `${await registry.metrics()}\n${await inProcessRegistry.metrics()}`;
  known = new Set([
    ...exportedMetricNames(sidecarText),
    ...exportedMetricNames(registryText),
    ...exportedMetricNames(followerText),
    ...exportedMetricNames(sdkText),
    ...rules.recorded,
    ...PROMETHEUS_SYNTHETIC,
  ]);
}, 90_000);
afterAll(async () => {
  await Promise.all([sidecar?.stop(), fleet?.stop()]);
}, 30_000);

describe('metric-name cross-check', () => {
  it('collects the names the sidecar and the SDK really export', () => {
    const sidecarNames = exportedMetricNames(sidecarText);
    for (const n of [
      'tplus_requests_total',
      'tplus_request_duration_seconds_bucket',
      'tplus_calendar_horizon_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(sidecarNames.has(n), n).toBe(true);
    }
    const sdkNames = exportedMetricNames(sdkText);
    for (const n of [
      'tplus_client_requests_total',
      'tplus_client_fallbacks_total',
      'tplus_client_breaker_state',
      'tplus_client_request_duration_seconds_bucket',
      'tplus_client_in_process_answers_total',
      'tplus_client_ruleset_staleness_seconds',
      'tplus_client_ruleset_rejected_total',
      'tplus_client_ruleset_version',
    ]) {
      expect(sdkNames.has(n), n).toBe(true);
    }
    expect(sdkText).toMatch(/^tplus_client_fallbacks_total\{method="GetSettlementDate",reason="UNAVAILABLE"\} 1$/m);
  });

  it('collects the names a running registry and a sidecar following it really export', () => {
    const registryNames = exportedMetricNames(registryText);
    for (const n of [
      'tplus_registry_versions_total',
      'tplus_registry_watchers',
      'tplus_registry_requests_total',
      'process_resident_memory_bytes',
    ]) {
      expect(registryNames.has(n), n).toBe(true);
    }
    // One version published, one sidecar watching it.
    expect(registryText).toMatch(/^tplus_registry_versions_total 1$/m);
    expect(registryText).toMatch(/^tplus_registry_watchers 1$/m);
    const followerNames = exportedMetricNames(followerText);
    for (const n of [
      'tplus_sync_last_success_timestamp_seconds',
      'tplus_sync_failures_total',
      'tplus_snapshot_rejected_total',
      'tplus_ruleset_staleness_seconds',
      'tplus_ruleset_version',
      'tplus_requests_total',
    ]) {
      expect(followerNames.has(n), n).toBe(true);
    }
    expect(followerText).toMatch(/^tplus_ruleset_version 1$/m);
    // Counters exist from the start, one series per reason, so increase() sees the first one.
    expect(followerText).toMatch(/^tplus_snapshot_rejected_total\{reason="bad_signature"\} 0$/m);
    expect(followerText).toMatch(/^tplus_sync_failures_total\{reason="unavailable"\} 0$/m);
    // A sidecar that does not follow a registry exports none of the replication metrics, which is
    // what confines the registry alerts to following sidecars. It does verify its local copy, so it
    // counts rejections (local_corrupt) and says whether it serves an older version.
    const plain = exportedMetricNames(sidecarText);
    for (const n of ['tplus_ruleset_staleness_seconds', 'tplus_sync_failures_total', 'tplus_registry_watchers']) {
      expect(plain.has(n), n).toBe(false);
    }
    expect(sidecarText).toMatch(/^tplus_snapshot_rejected_total\{reason="local_corrupt"\} 0$/m);
    expect(sidecarText).toMatch(/^tplus_ruleset_serving_older_version 0$/m);
  });

  it('every metric referenced by alerts.yml is exported (or recorded there)', () => {
    expect(rules.refs.length).toBeGreaterThan(20);
    expect(unknownMetrics(rules.refs, known)).toEqual([]);
  });

  it('every metric referenced by the dashboard (panels and variables) is exported', () => {
    const refs = dashboardExpressions(dashboard);
    expect(refs.length).toBeGreaterThan(20);
    expect(unknownMetrics(refs, known)).toEqual([]);
  });

  it('FAILS on a deliberately wrong name (sidecar or registry metric nobody exports)', () => {
    const wrong: PromQLRef[] = [
      { where: 'typo', expr: 'sum by (market) (rate(tplus_decision_total{job="tplus-sidecar"}[5m]))' },
      { where: 'registry typo', expr: 'max(tplus_registry_version{job="tplus-registry"}) - tplus_ruleset_version' },
      { where: 'replication', expr: 'time() - tplus_sync_last_success_timestamp_seconds > 600' },
      { where: 'fine', expr: 'histogram_quantile(0.99, sum by (le) (rate(tplus_request_duration_seconds_bucket[$__rate_interval])))' },
    ];
    expect(unknownMetrics(wrong, known)).toEqual([
      { where: 'typo', name: 'tplus_decision_total' },
      { where: 'registry typo', name: 'tplus_registry_version' },
    ]);
    const broken = structuredClone(dashboard);
    const target = allPanels(broken).find((p) => p.targets?.length)?.targets?.[0];
    if (!target) throw new Error('dashboard has no target');
    target.expr = 'rate(tplus_requests_totl[5m])';
    expect(unknownMetrics(dashboardExpressions(broken), known).map((u) => u.name)).toEqual(['tplus_requests_totl']);
  });

  it('extracts names, not functions, keywords, labels, strings, durations or variables', () => {
    expect(
      metricNamesInPromQL(
        'count by (market, asset_class) (sum by (market, asset_class, cycle_days) (increase(tplus_decisions_total{job="x", le="0.001"}[1d] offset 1h30m)) > 0) > bool 1e-3',
      ),
    ).toEqual(['tplus_decisions_total']);
    expect(metricNamesInPromQL('count_values("version", tplus_ruleset_version) unless on (instance) group_left up')).toEqual([
      'tplus_ruleset_version',
      'up',
    ]);
    expect(metricNamesInPromQL('tplus:request_errors:ratio_rate1h / 0.0001 and time() - a_b_c{x=~"$instance"} < Inf')).toEqual([
      'tplus:request_errors:ratio_rate1h',
      'a_b_c',
    ]);
    expect(exportedMetricNames('# TYPE h histogram\nh_bucket{le="1"} 1\n# TYPE c counter\n').has('h_count')).toBe(true);
  });
});

interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: { h?: unknown; w?: unknown; x?: unknown; y?: unknown };
  datasource?: { type?: unknown; uid?: unknown };
  targets?: { refId?: unknown; expr?: unknown }[];
  panels?: Panel[];
}

describe('Grafana dashboard model', () => {
  const panels = allPanels(dashboard) as Panel[];

  it('has the top-level fields Grafana needs to import it', () => {
    expect(dashboard['uid']).toBe('tplus-overview');
    expect(typeof dashboard['title']).toBe('string');
    expect(dashboard['schemaVersion']).toBeGreaterThanOrEqual(36);
    expect(Array.isArray(dashboard['panels'])).toBe(true);
    expect((dashboard['time'] as { from?: string }).from).toMatch(/^now-/);
    const vars = (dashboard['templating'] as { list: { name: string; type: string }[] }).list;
    expect(vars.find((v) => v.name === 'datasource')?.type).toBe('datasource');
  });

  it('gives every panel a unique id, a type, a title and a position on the 24-column grid', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(typeof p.type, String(p.id)).toBe('string');
      expect(p.title, String(p.id)).toBeTruthy();
      const g = p.gridPos ?? {};
      for (const k of ['h', 'w', 'x', 'y'] as const) expect(Number.isInteger(g[k]), `${String(p.id)} gridPos.${k}`).toBe(true);
      expect((g.x as number) + (g.w as number), String(p.id)).toBeLessThanOrEqual(24);
    }
  });

  it('queries Prometheus through the datasource variable, each target with a refId and an expr', () => {
    const queried = panels.filter((p) => p.type !== 'row' && p.type !== 'text');
    expect(queried.length).toBeGreaterThan(15);
    for (const p of queried) {
      expect(p.datasource, String(p.title)).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, String(p.title)).toBeGreaterThan(0);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, String(p.title)).toBe(refIds.length);
      for (const t of p.targets ?? []) {
        expect(typeof t.refId).toBe('string');
        expect(typeof t.expr === 'string' && t.expr.length > 0, String(p.title)).toBe(true);
      }
    }
  });

  it('shows what issue 7 asks for', () => {
    const titles = panels.map((p) => String(p.title)).join('\n');
    for (const want of [
      /Requests\/s by method/,
      /Decisions\/s/,
      /Latency percentiles/,
      /gRPC code/,
      /fallback\) answers\/s per app/,
      /Breaker state per app/,
      /Ruleset version per sidecar/,
      /Calendar horizon/,
      /Double settlement day preview/,
      /Ruleset staleness per sidecar/,
      /Versions behind the registry/,
      /Registry: versions published and open Watch streams/,
      /Snapshot rejections/,
      /Sync failures/,
    ]) {
      expect(titles).toMatch(want);
    }
  });
});
