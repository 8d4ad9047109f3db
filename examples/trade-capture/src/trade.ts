import type { SettlementSource } from './schema.js';

/** A trade as the front office books it. Dates are `YYYY-MM-DD`. */
export interface Trade {
  readonly tradeId: string;
  readonly tradeDate: string;
  readonly assetClass: string;
  /** ISO 10383 MIC, e.g. XNYS. */
  readonly market: string;
  readonly quantity: number;
  readonly price: number;
}

/** The row of the `trades` table. */
export interface TradeRow {
  readonly trade_id: string;
  readonly trade_date: string;
  readonly asset_class: string;
  readonly market: string;
  readonly quantity: number;
  readonly price: number;
  readonly settlement_date: string;
  readonly settlement_source: SettlementSource;
  readonly rule_id: string | null;
  readonly ruleset_version: number | null;
  readonly status: string;
}

/** One row of the append-only `trade_events` table; `detail` is parsed JSON. */
export interface TradeEvent {
  readonly eventId: number;
  readonly tradeId: string;
  readonly eventType: string;
  readonly at: string;
  readonly settlementDate: string | null;
  readonly settlementSource: string | null;
  readonly ruleId: string | null;
  readonly rulesetVersion: number | null;
  readonly detail: Record<string, unknown>;
}
