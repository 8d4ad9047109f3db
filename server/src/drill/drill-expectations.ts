import type { ProvisionalEntry, ReconcileSummary } from '@tplus/client-sdk';
import type { DrillTimeline } from './drill-timeline.js';
import type { CallRecord } from './load-generator.js';

export interface Expectation {
  readonly id: string;
  readonly description: string;
  readonly passed: boolean;
  /** What was measured. */
  readonly detail: string;
}

export const expectation = (id: string, description: string, passed: boolean, detail: string): Expectation => ({
  id,
  description,
  passed,
  detail,
});

/** What the standard expectations are checked against. */
export interface StandardInput {
  readonly records: readonly CallRecord[];
  readonly ledger: readonly ProvisionalEntry[];
  readonly reconciled: ReconcileSummary | null;
  readonly alerts: number;
  readonly timeline: DrillTimeline;
  readonly deadlineMs: number;
  readonly marginMs: number;
  /** True when the fault should reach trade capture (fallbacks, one alert, a breaker cycle). */
  readonly incident: boolean;
  /** Longest allowed time from the first failed call to the breaker opening. */
  readonly openWithinMs: number;
  /** Hashes of snapshots some sidecar rejected, and the hashes it ever activated. */
  readonly rejectedHashes: ReadonlySet<string>;
  readonly servedHashes: ReadonlySet<string>;
}

/** The expectations every drill checks (issue 8), in report order. */
export function standardExpectations(x: StandardInput): Expectation[] {
  const out: Expectation[] = [];
  const worst = x.records.reduce((m, r) => Math.max(m, r.latencyMs), 0);
  const bound = x.deadlineMs + x.marginMs;
  const slow = x.records.filter((r) => r.latencyMs > bound).length;
  out.push(
    expectation(
      'no-call-blocked',
      `no trade-capture call blocked longer than deadline + margin (${x.deadlineMs} + ${x.marginMs} ms)`,
      x.records.length > 0 && slow === 0,
      `${x.records.length} calls, max ${worst.toFixed(1)} ms, ${slow} over ${bound} ms`,
    ),
  );

  const errors = x.records.filter((r) => r.outcome === 'error');
  const firstError = errors[0]?.error;
  out.push(
    expectation(
      'zero-errors',
      'zero errors surfaced to trade capture',
      errors.length === 0,
      `${errors.length} errors${firstError === undefined ? '' : `, first: ${firstError}`}`,
    ),
  );

  const fallbacks = x.records.filter((r) => r.outcome === 'fallback');
  const ids = new Set(x.ledger.map((e) => e.id));
  const unmarked = fallbacks.filter(
    (r) => r.details?.provisional !== true || r.details.ledgerId === undefined || !ids.has(r.details.ledgerId),
  ).length;
  if (x.incident) {
    out.push(
      expectation(
        'fallbacks-provisional',
        'the fault was answered by fallbacks, every one marked provisional and recorded in the ledger',
        fallbacks.length > 0 && unmarked === 0 && x.ledger.length === fallbacks.length,
        `${fallbacks.length} fallbacks, ${unmarked} not provisional or not recorded, ${x.ledger.length} ledger entries`,
      ),
    );
    out.push(expectation('one-alert', 'exactly one alert for the incident (deduplicated)', x.alerts === 1, `${x.alerts} alerts`));
    const firstFailure = fallbacks.find((r) => r.details?.errorCode !== 'BREAKER_OPEN');
    const opened = firstFailure ? x.timeline.first('breaker_open', firstFailure.startedMs - 1) : undefined;
    const openAfter = opened && firstFailure ? opened.atMs - firstFailure.startedMs : null;
    out.push(
      expectation(
        'breaker-opened',
        `breaker opened within ${x.openWithinMs} ms of the first failed call`,
        openAfter !== null && openAfter <= x.openWithinMs,
        openAfter === null ? 'the breaker never opened' : `opened ${Math.round(openAfter)} ms after the first failed call`,
      ),
    );
    const heal = x.timeline.first('heal');
    const closed = heal ? x.timeline.first('closed', heal.atMs) : undefined;
    out.push(
      expectation(
        'breaker-closed',
        'breaker closed again after recovery',
        closed !== undefined,
        closed && heal ? `closed ${closed.atMs - heal.atMs} ms after heal` : 'not closed after heal',
      ),
    );
  } else {
    out.push(
      expectation(
        'no-fallback',
        'trade capture never fell back (every sidecar kept serving)',
        fallbacks.length === 0 && x.ledger.length === 0,
        `${fallbacks.length} fallbacks, ${x.ledger.length} ledger entries`,
      ),
    );
    out.push(expectation('no-alert', 'no alert raised to trade capture (no incident reached it)', x.alerts === 0, `${x.alerts} alerts`));
    out.push(
      expectation(
        'breaker-stayed-closed',
        'breaker stayed closed',
        x.timeline.count('breaker_open') === 0,
        `${x.timeline.count('breaker_open')} openings`,
      ),
    );
  }

  const r = x.reconciled;
  const resolved = r ? r.confirmed + r.corrected : 0;
  const open = x.ledger.length;
  out.push(
    expectation(
      'reconciled',
      'after recovery reconcile() confirmed or corrected 100% of provisional answers',
      r !== null && resolved === open && r.remaining === 0 && r.rejected === 0,
      r === null
        ? 'reconcile did not run'
        : `${open} provisional: ${r.confirmed} confirmed, ${r.corrected} corrected, ${r.rejected} rejected, ${r.remaining} still open`,
    ),
  );

  const bad = [...x.rejectedHashes].filter((h) => x.servedHashes.has(h));
  const servedBad = x.records.filter(
    (c) => c.outcome === 'service' && c.details?.rulesetHash !== undefined && x.rejectedHashes.has(c.details.rulesetHash),
  ).length;
  out.push(
    expectation(
      'no-rejected-snapshot-served',
      'no sidecar ever served a rejected snapshot',
      bad.length === 0 && servedBad === 0,
      `${x.rejectedHashes.size} rejected snapshot(s), ${bad.length} activated, ${servedBad} answers from one`,
    ),
  );
  return out;
}
