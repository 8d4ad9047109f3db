import type { CaptureStats } from './trade-capture.js';
import type { ReplayReport } from './cutover-replay.js';
import type { CaptureMode, ModeRun, SameDayOptions } from './same-day-modes.js';

const n = (x: number): string => x.toLocaleString('en-US');

/** The per-settlement-day instruction report, as printed by `npm run example:trade-capture`. */
export function formatReport(r: ReplayReport): string {
  const lines = [
    `Cutover replay, trade dates ${r.from}..${r.to} (US equities and ETFs on XNYS and XNAS; T+2 -> T+1 on trade date 2024-05-28)`,
    `captured ${n(r.captured)} trades (${n(r.provisional)} provisional); rejected ${n(r.rejected.reduce((s, x) => s + x.count, 0))}${r.rejected.map((x, i) => `${i === 0 ? ': ' : ', '}${x.code} ${x.count}`).join('')}`,
    '',
    'settlement day  instructions  from trade date (cycle) x trades',
  ];
  for (const d of r.days) {
    const from = d.byTradeDate.map((b) => `${b.tradeDate} (T+${b.cycleDays ?? '?'}) x ${n(b.count)}`).join(', ');
    const mark = d.byTradeDate.length > 1 ? '   <- double settlement day' : '';
    lines.push(`${d.settlementDate}      ${n(d.instructions).padStart(12)}  ${from}${mark}`);
  }
  const total = r.days.reduce((s, d) => s + d.instructions, 0);
  lines.push(
    '',
    `${n(total)} instructions in ${r.batches} batches, one per trade; every batch run twice: ${n(r.rerunInstructions)} new instructions on the rerun; ${n(r.settled)} trades SETTLED`,
  );
  return lines.join('\n');
}

/** "trades/s through the SDK into SQLite, and the SDK call's share of the time". */
export function formatThroughput(s: CaptureStats): string {
  const perSecond = s.totalMs > 0 ? (s.attempts * 1000) / s.totalMs : 0;
  const share = s.totalMs > 0 ? (100 * s.sdkMs) / s.totalMs : 0;
  return (
    `capture throughput: ${n(s.attempts)} trades (${n(s.captured)} booked, ${n(s.rejected)} rejected) in ${(s.totalMs / 1000).toFixed(2)} s = ${n(Math.round(perSecond))} trades/s ` +
    `(one SDK call per trade, sequential, over a Unix socket, into SQLite WAL); ` +
    `SDK call ${share.toFixed(0)}% of the time (${(s.sdkMs / Math.max(1, s.attempts)).toFixed(3)} ms/trade), ` +
    `SQLite and the rest ${(100 - share).toFixed(0)}% (${((s.totalMs - s.sdkMs) / Math.max(1, s.attempts)).toFixed(3)} ms/trade)`
  );
}

const HOW: Readonly<Record<CaptureMode, string>> = {
  sequential: 'one awaited RPC, one transaction per trade',
  concurrent: 'all trades of a chunk in flight, coalesced into BatchGetSettlementDates; one transaction per chunk',
  'in-process': 'decideSync from the synced ruleset; one transaction per chunk',
};

/** The same day booked in each mode: trades/s, the SDK's share of the time, and where the dates came from. */
export function formatModes(runs: readonly ModeRun[], opts: SameDayOptions): string {
  const base = runs.find((r) => r.mode === 'sequential');
  const rate = (s: CaptureStats): number => (s.totalMs > 0 ? (s.attempts * 1000) / s.totalMs : 0);
  const lines = [
    `Same day in each mode: trade date ${opts.tradeDate}, ${n(opts.trades)} trades, chunks of ${n(opts.chunk)}, each mode into its own trades database`,
    '',
  ];
  lines.push(
    `${'mode'.padEnd(12)} ${'trades/s'.padStart(9)} ${'vs seq.'.padStart(8)}  ${'SDK share'.padStart(9)}  ${'stored source'.padEnd(22)}  how`,
  );
  for (const r of runs) {
    const share = r.stats.totalMs > 0 ? (100 * r.stats.sdkMs) / r.stats.totalMs : 0;
    const ratio = base && rate(base.stats) > 0 ? `${(rate(r.stats) / rate(base.stats)).toFixed(1)}x` : '';
    const sources = Object.entries(r.sources)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ');
    lines.push(
      `${r.mode.padEnd(12)} ${n(Math.round(rate(r.stats))).padStart(9)} ${ratio.padStart(8)}  ${`${share.toFixed(0)}%`.padStart(9)}  ${sources.padEnd(22)}  ${HOW[r.mode]}`,
    );
  }
  return lines.join('\n');
}
