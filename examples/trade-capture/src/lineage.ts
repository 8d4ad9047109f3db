import type { TradeEvent, TradeRow } from './trade.js';
import type { TradeStore } from './trade-store.js';

export interface Instruction {
  readonly batchId: string;
  readonly seq: number;
  readonly settlementDate: string;
  readonly amount: number;
  readonly createdAt: string;
}

export interface Lineage {
  readonly trade: TradeRow;
  /** Every event, oldest first: how each settlement date and status came to be. */
  readonly events: readonly TradeEvent[];
  readonly instructions: readonly Instruction[];
  /** Each date the trade has had, in order, with the rule and ruleset version that produced it. */
  readonly dates: readonly {
    readonly settlementDate: string;
    readonly source: string;
    readonly ruleId: string | null;
    readonly rulesetVersion: number | null;
    readonly eventType: string;
  }[];
}

/** The full history of one trade: current row, every event, every instruction. */
export function lineage(store: TradeStore, tradeId: string): Lineage {
  const trade = store.get(tradeId);
  const events = store.events(tradeId);
  const instructions = (
    store
      .stmt('SELECT batch_id, seq, settlement_date, amount, created_at FROM settlement_instructions WHERE trade_id = ? ORDER BY created_at')
      .all(tradeId) as { batch_id: string; seq: number; settlement_date: string; amount: number; created_at: string }[]
  ).map((r) => ({ batchId: r.batch_id, seq: r.seq, settlementDate: r.settlement_date, amount: r.amount, createdAt: r.created_at }));
  const dates = events
    .filter((e) => e.settlementDate !== null)
    .map((e) => ({
      settlementDate: e.settlementDate as string,
      source: e.settlementSource ?? '',
      ruleId: e.ruleId,
      rulesetVersion: e.rulesetVersion,
      eventType: e.eventType,
    }));
  return { trade, events, instructions, dates };
}
