import type { TradeStore } from './trade-store.js';

export interface SettleDayOptions {
  /** The settlement date to settle, `YYYY-MM-DD`. */
  readonly date: string;
  readonly batchId: string;
  /** Run even though provisional dates that could fall on `date` are unreconciled; recorded on the batch. */
  readonly forceReason?: string;
  /** Called after each instruction is committed with the count so far (the CLI's crash drill hooks in here). */
  readonly afterInstruction?: (count: number, tradeId: string) => void;
}

export interface SettleDayResult {
  readonly batchId: string;
  readonly date: string;
  readonly forcedReason: string | null;
  /** Instructions written by this run. */
  readonly created: number;
  /** Instructions of the batch after this run (all runs). */
  readonly total: number;
  /** Provisional trades settled by a forced run. */
  readonly provisional: readonly string[];
}

export class SettleDayError extends Error {
  override readonly name = 'SettleDayError';
  constructor(
    readonly code: 'UNRECONCILED_PROVISIONAL' | 'BATCH_DATE_MISMATCH' | 'INVALID_ARGUMENT',
    message: string,
    readonly tradeIds: readonly string[] = [],
  ) {
    super(message);
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * The end-of-day batch: "what settles today". Selects the trades with settlement_date = D in
 * AWAITING_SETTLEMENT and, per trade in one transaction, writes the instruction keyed by
 * (batch_id, trade_id) and moves the trade to SETTLEMENT_IN_PROGRESS. A rerun, or a rerun after a
 * crash half-way, selects only what is left, so each trade gets exactly one instruction.
 *
 * Refuses while any unreconciled provisional trade could settle on D. A fallback date can be wrong
 * either way (a holiday moves the real date later, a shorter cycle earlier), so every provisional
 * trade still awaiting settlement with trade_date <= D blocks D, unless forced with a reason.
 */
export function settleDay(store: TradeStore, opts: SettleDayOptions): SettleDayResult {
  const { date, batchId } = opts;
  if (!isIsoDate(date)) throw new SettleDayError('INVALID_ARGUMENT', `--date must be a valid YYYY-MM-DD date, got ${JSON.stringify(date)}`);
  if (batchId.trim() === '') throw new SettleDayError('INVALID_ARGUMENT', '--batch-id must not be empty');
  const forceReason = opts.forceReason?.trim() ?? null;
  if (forceReason === '') throw new SettleDayError('INVALID_ARGUMENT', 'forcing needs a reason');

  const blockers = (
    store
      .stmt(
        "SELECT trade_id FROM trades WHERE settlement_source = 'fallback' AND status = 'AWAITING_SETTLEMENT' AND trade_date <= ? ORDER BY trade_id",
      )
      .all(date) as { trade_id: string }[]
  ).map((r) => r.trade_id);
  if (blockers.length > 0 && forceReason === null) {
    throw new SettleDayError(
      'UNRECONCILED_PROVISIONAL',
      `${blockers.length} trade(s) with a provisional settlement date could settle on ${date} (${blockers.slice(0, 5).join(', ')}${blockers.length > 5 ? ', …' : ''}): reconcile first, or force with a reason`,
      blockers,
    );
  }

  const now = store.timestamp();
  store
    .stmt(
      'INSERT INTO settlement_batches (batch_id, settlement_date, forced_reason, started_at) VALUES (?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING',
    )
    .run(batchId, date, forceReason, now);
  const batch = store.stmt('SELECT settlement_date FROM settlement_batches WHERE batch_id = ?').get(batchId) as { settlement_date: string };
  if (batch.settlement_date !== date)
    throw new SettleDayError('BATCH_DATE_MISMATCH', `batch ${batchId} settles ${batch.settlement_date}, not ${date}`);
  if (forceReason !== null)
    store.stmt('UPDATE settlement_batches SET forced_reason = COALESCE(forced_reason, ?) WHERE batch_id = ?').run(forceReason, batchId);

  const due = store
    .stmt(
      "SELECT trade_id, settlement_source, market, quantity, price FROM trades WHERE settlement_date = ? AND status = 'AWAITING_SETTLEMENT' ORDER BY trade_id",
    )
    .all(date) as { trade_id: string; settlement_source: string; market: string; quantity: number; price: number }[];
  const insert = store.stmt(
    `INSERT INTO settlement_instructions (batch_id, trade_id, seq, settlement_date, market, quantity, amount, created_at)
     VALUES (?, ?, (SELECT COUNT(*) + 1 FROM settlement_instructions WHERE batch_id = ?), ?, ?, ?, ?, ?)
     ON CONFLICT (batch_id, trade_id) DO NOTHING`,
  );
  const provisional: string[] = [];
  let created = 0;
  const one = store.db.transaction((t: (typeof due)[number]) => {
    const amount = Math.round(t.quantity * t.price * 100) / 100;
    insert.run(batchId, t.trade_id, batchId, date, t.market, t.quantity, amount, store.timestamp());
    const isProvisional = t.settlement_source === 'fallback';
    store.transition(t.trade_id, 'SETTLEMENT_IN_PROGRESS', 'SETTLEMENT_STARTED', {
      batchId,
      settlementDate: date,
      ...(isProvisional ? { provisional: true, forcedReason: forceReason } : {}),
    });
    if (isProvisional) provisional.push(t.trade_id);
  });
  for (const t of due) {
    one(t);
    created++;
    opts.afterInstruction?.(created, t.trade_id);
  }
  store.stmt('UPDATE settlement_batches SET completed_at = ? WHERE batch_id = ?').run(store.timestamp(), batchId);
  const total = (store.stmt('SELECT COUNT(*) AS n FROM settlement_instructions WHERE batch_id = ?').get(batchId) as { n: number }).n;
  return { batchId, date, forcedReason: forceReason, created, total, provisional };
}

/** Settlement confirmations from the depository: SETTLEMENT_IN_PROGRESS → SETTLED or FAILED. */
export function confirmSettlement(
  store: TradeStore,
  tradeId: string,
  outcome: 'SETTLED' | 'FAILED',
  detail: Record<string, unknown> = {},
): void {
  store.transition(tradeId, outcome, outcome, detail);
}
