import type { ReconcileSummary } from '@tplus/client-sdk';
import type { ExpectedAlerts } from './alert-evaluation.js';
import type { Expectation } from './drill-expectations.js';
import type { TimelineEvent } from './drill-timeline.js';
import type { CallOutcome, CallRecord } from './load-generator.js';

export type BreakerState = 'closed' | 'halfOpen' | 'open';

export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface SeriesBucket {
  readonly fromMs: number;
  /** Calls started in the bucket, as calls per second. */
  readonly service: number;
  readonly fallback: number;
  readonly error: number;
  /** Breaker state at the end of the bucket. */
  readonly breaker: BreakerState;
}

export interface DrillReport {
  readonly scenario: string;
  readonly proves: string;
  readonly passed: boolean;
  readonly startedAt: string;
  readonly wallMs: number;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly timeline: readonly TimelineEvent[];
  readonly counts: {
    readonly calls: number;
    readonly service: number;
    readonly fallback: number;
    readonly error: number;
    readonly alerts: number;
    readonly provisional: number;
    readonly reconcile: ReconcileSummary | null;
  };
  readonly latencyMs: Readonly<Record<'all' | CallOutcome, LatencyStats>>;
  readonly expectations: readonly Expectation[];
  readonly facts: Readonly<Record<string, unknown>>;
  readonly bucketMs: number;
  readonly series: readonly SeriesBucket[];
  /** The alert rules' verdict on the run: what was expected, what fired (null: not evaluated), the promtool test file. */
  readonly alertRules?: { readonly expected: ExpectedAlerts; readonly fired: readonly string[] | null; readonly testFile: string };
  /** Set when the drill itself could not run to the end (a failed expectation is not this). */
  readonly crashed?: string;
}

const round = (x: number): number => Math.round(x * 10) / 10;

export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number);
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? 0) };
}

/** The breaker state at `atMs` from the breaker events of the timeline. */
export function breakerAt(timeline: readonly TimelineEvent[], atMs: number): BreakerState {
  let state: BreakerState = 'closed';
  for (const e of timeline) {
    if (e.atMs > atMs) break;
    if (e.kind === 'breaker_open') state = 'open';
    else if (e.kind === 'half_open') state = 'halfOpen';
    else if (e.kind === 'closed') state = 'closed';
  }
  return state;
}

/** Calls per second by outcome, per bucket, with the breaker state. */
export function callSeries(records: readonly CallRecord[], timeline: readonly TimelineEvent[], bucketMs: number): SeriesBucket[] {
  const end = Math.max(0, ...records.map((r) => r.startedMs), ...timeline.map((e) => e.atMs));
  const n = Math.floor(end / bucketMs) + 1;
  const counts = Array.from({ length: n }, () => ({ service: 0, fallback: 0, error: 0 }));
  for (const r of records) {
    const b = counts[Math.floor(r.startedMs / bucketMs)];
    if (b) b[r.outcome]++;
  }
  const perSecond = 1000 / bucketMs;
  const sorted = [...timeline].sort((a, b) => a.atMs - b.atMs);
  return counts.map((c, i) => ({
    fromMs: i * bucketMs,
    service: c.service * perSecond,
    fallback: c.fallback * perSecond,
    error: c.error * perSecond,
    breaker: breakerAt(sorted, (i + 1) * bucketMs),
  }));
}

const fmtMs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** report.md: verdict, expectations, timeline, counts, latencies, the chart and scenario facts. */
export function reportMarkdown(r: DrillReport, svgFile: string): string {
  const lines: string[] = [];
  lines.push(`# tplus drill ${r.scenario}: ${r.passed ? 'PASS' : 'FAIL'}`, '');
  lines.push(r.proves, '');
  lines.push(
    `Run ${r.startedAt}, ${fmtMs(r.wallMs)} wall time. Settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
      .join(', ')}.`,
    '',
  );
  if (r.crashed) lines.push(`**The drill did not complete:** ${r.crashed}`, '');
  lines.push('## Expectations', '', '| | expectation | measured |', '|---|---|---|');
  for (const e of r.expectations) lines.push(`| ${e.passed ? 'PASS' : '**FAIL**'} | ${e.description} | ${e.detail} |`);
  lines.push('', '## Timeline', '', 'Times are from the start of load.', '', '| t | event | detail |', '|---|---|---|');
  for (const e of r.timeline) lines.push(`| ${fmtMs(e.atMs)} | ${e.kind} | ${e.detail ?? ''} |`);
  const c = r.counts;
  lines.push(
    '',
    '## Counts',
    '',
    '| calls | service | fallback | error | alerts | provisional | reconcile |',
    '|---|---|---|---|---|---|---|',
  );
  const rec = c.reconcile
    ? `${c.reconcile.confirmed} confirmed, ${c.reconcile.corrected} corrected, ${c.reconcile.rejected} rejected, ${c.reconcile.remaining} open`
    : 'not run';
  lines.push(`| ${c.calls} | ${c.service} | ${c.fallback} | ${c.error} | ${c.alerts} | ${c.provisional} | ${rec} |`);
  lines.push('', '## Latency (ms, as trade capture saw it)', '', '| outcome | calls | p50 | p99 | max |', '|---|---|---|---|---|');
  for (const [k, v] of Object.entries(r.latencyMs)) lines.push(`| ${k} | ${v.count} | ${v.p50} | ${v.p99} | ${v.max} |`);
  lines.push('', '## Calls per second and breaker state', '', `![calls per second by outcome, breaker state](${svgFile})`, '');
  if (Object.keys(r.facts).length > 0) lines.push('## Scenario facts', '', '```json', JSON.stringify(r.facts, null, 2), '```', '');
  return `${lines.join('\n')}\n`;
}
