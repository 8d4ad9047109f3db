import type { GetShadowReportResponseMessage, ShadowCountMessage, ShadowSampleMessage } from '../index.js';
import type { ShadowState } from './fleet-state.js';

/** Samples kept in a fleet report. */
export const MAX_REPORT_SAMPLES = 50;

/** The fleet's shadow counts for one version: totals, changes by market and trade date, samples. */
export function shadowReport(version: number, states: readonly ShadowState[]): GetShadowReportResponseMessage {
  const totals = { same: 0, expectedChange: 0, unexpectedChange: 0, error: 0, dropped: 0 };
  const byKey = new Map<string, ShadowCountMessage>();
  const samples: ShadowSampleMessage[] = [];
  for (const s of states) {
    totals.same += s.totals.same;
    totals.expectedChange += s.totals.expectedChange;
    totals.unexpectedChange += s.totals.unexpectedChange;
    totals.error += s.totals.error;
    totals.dropped += s.totals.dropped;
    for (const c of s.changes) {
      const key = `${c.market}\u0000${c.tradeDate}\u0000${c.outcome}`;
      const held = byKey.get(key);
      if (held) held.count += c.count;
      else byKey.set(key, { ...c });
    }
    for (const x of s.samples) if (samples.length < MAX_REPORT_SAMPLES) samples.push(x);
  }
  const changes = [...byKey.values()].sort(
    (a, b) => a.market.localeCompare(b.market) || a.tradeDate.localeCompare(b.tradeDate) || a.outcome.localeCompare(b.outcome),
  );
  return { version, totals, changes, samples, followers: states.length };
}
