import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseDay } from '@tplus/core';
import { SidecarMetrics } from '../../server/src/sidecar/sidecar-metrics.js';
import { bundled } from '../support/bundled.js';

/** The tplus_ lines of an exposition, numbers masked so the shape can be compared exactly. */
function masked(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.includes('tplus_'))
    .map((l) => l.replace(/ [-+\d.e]+$/, ' N'))
    .join('\n');
}

function fresh(now = new Date('2026-11-27T12:00:00Z')) {
  const registry = new Registry();
  const calendars = [
    { id: 'US-SETTLEMENT', to: parseDay('2035-12-31') },
    { id: 'SHORT', to: parseDay('2026-12-07') },
  ];
  const metrics = new SidecarMetrics({ registry, now: () => now, calendars: () => calendars, processMetrics: false });
  return { registry, metrics };
}

describe('SidecarMetrics', () => {
  it('registers exactly the contract names on its own registry, never on the global one', async () => {
    const { registry, metrics } = fresh();
    const rule = bundled().ruleset.rulesFor('EQUITY', 'XNYS')[2];
    if (!rule) throw new Error('no rule');
    metrics.requestDone('GetSettlementDate', 0, 0.0002);
    metrics.requestDone('GetSettlementDate', 5, 0.0003);
    metrics.decisions(rule, 3);
    metrics.decisionErrors('NO_RULE', 2);
    metrics.batchItems(1000);
    metrics.rulesetActivated(7, new Date('2026-11-27T11:00:00Z'), 7);
    expect(masked(await registry.metrics())).toBe(
      [
        '# HELP tplus_requests_total gRPC requests handled, by method and final status code.',
        '# TYPE tplus_requests_total counter',
        'tplus_requests_total{method="GetSettlementDate",code="OK"} N',
        'tplus_requests_total{method="GetSettlementDate",code="NOT_FOUND"} N',
        '# HELP tplus_request_duration_seconds Time from receiving a gRPC request to answering it (whole stream for streams).',
        '# TYPE tplus_request_duration_seconds histogram',
        ...[
          '0.00005',
          '0.0001',
          '0.00025',
          '0.0005',
          '0.001',
          '0.0025',
          '0.005',
          '0.01',
          '0.025',
          '0.05',
          '0.1',
          '0.25',
          '0.5',
          '1',
          '2.5',
          '5',
          '+Inf',
        ].map((le) => `tplus_request_duration_seconds_bucket{le="${le}",method="GetSettlementDate"} N`),
        'tplus_request_duration_seconds_sum{method="GetSettlementDate"} N',
        'tplus_request_duration_seconds_count{method="GetSettlementDate"} N',
        "# HELP tplus_decisions_total Settlement decisions made, by the deciding rule's market, asset class and cycle.",
        '# TYPE tplus_decisions_total counter',
        'tplus_decisions_total{market="XNYS",asset_class="EQUITY",cycle_days="1"} N',
        '# HELP tplus_decision_errors_total Decisions refused (whole requests or batch items), by error code.',
        '# TYPE tplus_decision_errors_total counter',
        'tplus_decision_errors_total{reason="NO_RULE"} N',
        '# HELP tplus_batch_items Items per batch request (row-wise and columnar).',
        '# TYPE tplus_batch_items histogram',
        ...['1', '10', '100', '1000', '10000', '100000', '+Inf'].map((le) => `tplus_batch_items_bucket{le="${le}"} N`),
        'tplus_batch_items_sum N',
        'tplus_batch_items_count N',
        '# HELP tplus_ruleset_version Active ruleset version.',
        '# TYPE tplus_ruleset_version gauge',
        'tplus_ruleset_version N',
        '# HELP tplus_ruleset_loaded_timestamp_seconds When the active ruleset was loaded into memory (Unix seconds).',
        '# TYPE tplus_ruleset_loaded_timestamp_seconds gauge',
        'tplus_ruleset_loaded_timestamp_seconds N',
        '# HELP tplus_ruleset_last_activated_version The highest ruleset version this sidecar ever activated (kept in its local copy).',
        '# TYPE tplus_ruleset_last_activated_version gauge',
        'tplus_ruleset_last_activated_version N',
        '# HELP tplus_ruleset_serving_older_version Is 1 while the sidecar serves an older version than the one it last activated (the newer one failed verification at rest); 0 when it serves the last one.',
        '# TYPE tplus_ruleset_serving_older_version gauge',
        'tplus_ruleset_serving_older_version N',
        '# HELP tplus_calendar_horizon_seconds Time from today (UTC) to the last date each active calendar covers, in seconds (whole days); decisions beyond it fail.',
        '# TYPE tplus_calendar_horizon_seconds gauge',
        'tplus_calendar_horizon_seconds{calendar_id="US-SETTLEMENT"} N',
        'tplus_calendar_horizon_seconds{calendar_id="SHORT"} N',
      ].join('\n'),
    );
    const values = Object.fromEntries(
      (await registry.getMetricsAsJSON()).map((m) => [
        m.name,
        (m.values as { value: number; labels: object }[]).map((v) => [v.labels, v.value]),
      ]),
    );
    expect(values['tplus_decisions_total']).toEqual([[{ market: 'XNYS', asset_class: 'EQUITY', cycle_days: '1' }, 3]]);
    expect(values['tplus_decision_errors_total']).toEqual([[{ reason: 'NO_RULE' }, 2]]);
    expect(values['tplus_ruleset_version']).toEqual([[{}, 7]]);
    expect(values['tplus_ruleset_serving_older_version']).toEqual([[{}, 0]]);
    metrics.rulesetActivated(6, new Date('2026-11-27T11:00:00Z'), 7);
    expect((await registry.getSingleMetric('tplus_ruleset_serving_older_version')?.get())?.values[0]?.value).toBe(1);
    expect(values['tplus_calendar_horizon_seconds']).toEqual([
      [{ calendar_id: 'US-SETTLEMENT' }, 3321 * 86_400],
      [{ calendar_id: 'SHORT' }, 10 * 86_400],
    ]);
  });

  it('computes the calendar horizon from the injected clock at scrape time', async () => {
    let now = new Date('2026-11-27T12:00:00Z');
    const registry = new Registry();
    new SidecarMetrics({ registry, now: () => now, calendars: () => [{ id: 'C', to: parseDay('2026-12-07') }], processMetrics: false });
    const horizon = async (): Promise<unknown> =>
      (await registry.getSingleMetric('tplus_calendar_horizon_seconds')?.get())?.values[0]?.value;
    expect(await horizon()).toBe(10 * 86_400);
    now = new Date('2026-12-10T00:00:00Z');
    expect(await horizon()).toBe(-3 * 86_400);
  });

  it('adds Node process metrics to its registry when asked', async () => {
    const registry = new Registry();
    new SidecarMetrics({ registry, now: () => new Date(), calendars: () => [] });
    expect(await registry.metrics()).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
