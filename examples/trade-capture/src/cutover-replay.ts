import type { SettlementClient } from '@tplus/client-sdk';
import { confirmSettlement, settleDay } from './settle-day.js';
import { addDays, isWeekend, syntheticTrades } from './synthetic-trades.js';
import { TradeCapture, type CaptureStats } from './trade-capture.js';
import type { Trade } from './trade.js';
import type { TradeStore } from './trade-store.js';

export interface ReplayOptions {
  readonly from: string;
  readonly to: string;
  readonly tradesPerDay: number;
  /** Trade dates on which the exchange published no trades (the feed is synthetic). */
  readonly closed: readonly string[];
  /** Bookings that must be refused, sent on their trade date (to show a rejection with its reason). */
  readonly strays: readonly Trade[];
}

export const CUTOVER_REPLAY: ReplayOptions = {
  from: '2024-05-20',
  to: '2024-06-05',
  tradesPerDay: 250,
  closed: ['2024-05-27'],
  strays: [
    { tradeId: 'STRAY-MEMORIAL-DAY', tradeDate: '2024-05-27', assetClass: 'EQUITY', market: 'XNYS', quantity: 100, price: 10 },
    { tradeId: 'STRAY-UNKNOWN-MIC', tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XXXX', quantity: 100, price: 10 },
  ],
};

export interface DayReport {
  readonly settlementDate: string;
  readonly instructions: number;
  readonly byTradeDate: readonly { readonly tradeDate: string; readonly cycleDays: number | null; readonly count: number }[];
}

export interface ReplayReport {
  readonly from: string;
  readonly to: string;
  readonly captured: number;
  readonly provisional: number;
  readonly rejected: readonly { readonly code: string; readonly count: number }[];
  readonly days: readonly DayReport[];
  readonly batches: number;
  /** Instructions written when each batch was run a second time: 0. */
  readonly rerunInstructions: number;
  readonly settled: number;
  readonly capture: CaptureStats;
}

/**
 * Replays trading across the US T+2 → T+1 cutover (trade date 2024-05-28). Day by day: capture the
 * day's trades through the SDK, then run the end-of-day batch for that day (twice, to show it is
 * idempotent) and confirm its instructions as settled. Returns instructions per settlement day.
 */
export async function runCutoverReplay(
  client: SettlementClient,
  store: TradeStore,
  opts: ReplayOptions = CUTOVER_REPLAY,
): Promise<ReplayReport> {
  const capture = new TradeCapture(client, store);
  let batches = 0;
  let rerunInstructions = 0;
  const lastDay = addDays(opts.to, 10);
  for (let day = opts.from; day <= lastDay; day = addDays(day, 1)) {
    const feed = day > opts.to || isWeekend(day) || opts.closed.includes(day) ? [] : syntheticTrades(day, opts.tradesPerDay);
    for (const t of [...feed, ...opts.strays.filter((s) => s.tradeDate === day)]) await capture.capture(t);
    if (isWeekend(day)) continue;
    const batchId = `EOD-${day}`;
    const run = settleDay(store, { date: day, batchId });
    rerunInstructions += settleDay(store, { date: day, batchId }).created;
    if (run.total > 0) batches++;
    const ids = store.stmt('SELECT trade_id FROM settlement_instructions WHERE batch_id = ?').all(batchId) as { trade_id: string }[];
    for (const { trade_id } of ids) confirmSettlement(store, trade_id, 'SETTLED', { batchId });
    if (day > opts.to && countWhere(store, "status IN ('TRADE_CAPTURED', 'AWAITING_SETTLEMENT')") === 0) break;
  }
  return {
    from: opts.from,
    to: opts.to,
    captured: countWhere(store, '1'),
    provisional: countWhere(store, "settlement_source = 'fallback'"),
    rejected: store.stmt('SELECT code, COUNT(*) AS count FROM trade_rejections GROUP BY code ORDER BY code').all() as {
      code: string;
      count: number;
    }[],
    days: instructionsPerDay(store),
    batches,
    rerunInstructions,
    settled: countWhere(store, "status = 'SETTLED'"),
    capture: capture.stats(),
  };
}

function countWhere(store: TradeStore, where: string): number {
  return (store.stmt(`SELECT COUNT(*) AS n FROM trades WHERE ${where}`).get() as { n: number }).n;
}

/** Instructions per settlement day, split by trade date and the settlement cycle that produced them. */
export function instructionsPerDay(store: TradeStore): DayReport[] {
  const rows = store
    .stmt(
      `SELECT i.settlement_date AS settlementDate, t.trade_date AS tradeDate,
              (SELECT json_extract(e.detail, '$.cycleDays') FROM trade_events e
                WHERE e.trade_id = t.trade_id AND e.settlement_date IS NOT NULL ORDER BY e.event_id DESC LIMIT 1) AS cycleDays,
              COUNT(*) AS count
         FROM settlement_instructions i JOIN trades t ON t.trade_id = i.trade_id
        GROUP BY i.settlement_date, t.trade_date, cycleDays
        ORDER BY i.settlement_date, t.trade_date`,
    )
    .all() as { settlementDate: string; tradeDate: string; cycleDays: number | null; count: number }[];
  const days = new Map<string, { tradeDate: string; cycleDays: number | null; count: number }[]>();
  for (const r of rows) {
    const list = days.get(r.settlementDate) ?? [];
    list.push({ tradeDate: r.tradeDate, cycleDays: r.cycleDays, count: r.count });
    days.set(r.settlementDate, list);
  }
  return [...days].map(([settlementDate, byTradeDate]) => ({
    settlementDate,
    instructions: byTradeDate.reduce((n, x) => n + x.count, 0),
    byTradeDate,
  }));
}
