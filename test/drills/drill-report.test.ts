// The report pieces: latency percentiles, the calls/s series with breaker state, the SVG, and the
// standard expectations failing when they should.
import { describe, expect, it } from 'vitest';
import { standardExpectations, type StandardInput } from '../../server/src/drill/drill-expectations.js';
import { breakerAt, callSeries, latencyStats } from '../../server/src/drill/drill-report.js';
import { DrillTimeline } from '../../server/src/drill/drill-timeline.js';
import type { CallRecord } from '../../server/src/drill/load-generator.js';

const trade = { tradeDate: '2024-06-03', assetClass: 'EQUITY', market: 'XNYS' };
const call = (seq: number, startedMs: number, outcome: CallRecord['outcome'], latencyMs = 1): CallRecord => ({
  seq,
  startedMs,
  latencyMs,
  outcome,
  request: trade,
  ...(outcome === 'fallback'
    ? {
        details: {
          settlementDate: '2024-06-05',
          source: 'fallback',
          provisional: true,
          cycleDays: 2,
          errorCode: 'UNAVAILABLE',
          ledgerId: `id-${seq}`,
        },
      }
    : {}),
});

function input(over: Partial<StandardInput>): StandardInput {
  const timeline = new DrillTimeline();
  return {
    records: [call(0, 0, 'service'), call(1, 10, 'fallback')],
    ledger: [{ id: 'id-1', request: trade, provisionalDate: '2024-06-05', at: '', reason: 'UNAVAILABLE', status: 'confirmed' }],
    reconciled: { checked: 1, confirmed: 1, corrected: 0, rejected: 0, remaining: 0 },
    alerts: 1,
    timeline,
    deadlineMs: 100,
    marginMs: 50,
    incident: true,
    openWithinMs: 1_000,
    rejectedHashes: new Set(),
    servedHashes: new Set(['h1']),
    ...over,
  };
}

const failed = (x: StandardInput): string[] =>
  standardExpectations(x)
    .filter((e) => !e.passed)
    .map((e) => e.id);

describe('drill report', () => {
  it('latency percentiles are nearest-rank over every call', () => {
    expect(latencyStats([5, 1, 3, 2, 4])).toEqual({ count: 5, p50: 3, p99: 5, max: 5 });
    expect(latencyStats([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });

  it('the series counts calls per second by outcome and carries the breaker state per bucket', () => {
    const t = [
      { atMs: 600, kind: 'breaker_open' },
      { atMs: 1_100, kind: 'half_open' },
      { atMs: 1_200, kind: 'closed' },
    ];
    const s = callSeries([call(0, 100, 'service'), call(1, 700, 'fallback'), call(2, 800, 'error')], t, 500);
    expect(s[0]).toMatchObject({ service: 2, fallback: 0, error: 0, breaker: 'closed' });
    expect(s[1]).toMatchObject({ service: 0, fallback: 2, error: 2, breaker: 'open' });
    expect(breakerAt(t, 1_150)).toBe('halfOpen');
    expect(breakerAt(t, 1_300)).toBe('closed');
  });

  it('standard expectations fail on a blocked call, an error, a second alert, an unrecorded fallback, an open entry, a rejected snapshot served', () => {
    expect(failed(input({ records: [call(0, 0, 'service', 151)] }))).toContain('no-call-blocked');
    expect(failed(input({ records: [call(0, 0, 'error')] }))).toContain('zero-errors');
    expect(failed(input({ alerts: 2 }))).toContain('one-alert');
    expect(failed(input({ ledger: [] }))).toContain('fallbacks-provisional');
    expect(failed(input({ reconciled: { checked: 1, confirmed: 0, corrected: 0, rejected: 0, remaining: 1 } }))).toContain('reconciled');
    expect(failed(input({ rejectedHashes: new Set(['h1']) }))).toContain('no-rejected-snapshot-served');
    expect(failed(input({}))).toEqual(['breaker-opened', 'breaker-closed']); // no breaker events in this timeline
  });
});
