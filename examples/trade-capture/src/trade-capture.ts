import { SettlementError, type SettlementClient, type SettlementDetails } from '@tplus/client-sdk';
import type { SettlementSource } from './schema.js';
import type { Trade } from './trade.js';
import type { DateAssignment, TradeStore } from './trade-store.js';

export type CaptureResult =
  | {
      readonly outcome: 'captured';
      readonly tradeId: string;
      readonly settlementDate: string;
      readonly source: SettlementSource;
      readonly provisional: boolean;
      readonly ruleId: string | null;
      readonly rulesetVersion: number | null;
    }
  /** The service refused the trade (NO_RULE, INVALID_DATE, NOT_A_TRADING_DAY, ...): not booked. */
  | { readonly outcome: 'rejected'; readonly tradeId: string; readonly code: string; readonly reason: string }
  /** Already captured: nothing asked, nothing written. */
  | { readonly outcome: 'duplicate'; readonly tradeId: string; readonly settlementDate: string };

/** Where capture time goes: the SDK call versus everything else (mostly the SQLite transaction). */
export interface CaptureStats {
  readonly attempts: number;
  readonly captured: number;
  readonly provisional: number;
  readonly rejected: number;
  readonly totalMs: number;
  readonly sdkMs: number;
}

export function toAssignment(d: SettlementDetails): DateAssignment {
  return {
    settlementDate: d.settlementDate,
    // Stored as answered: 'service' (the sidecar over RPC), 'in-process' (the SDK's synced, verified
    // ruleset) or 'fallback' (provisional). Only the fallback is provisional.
    source: d.source,
    ruleId: d.ruleId ?? null,
    rulesetVersion: d.rulesetVersion ?? null,
    detail: {
      provisional: d.provisional,
      cycleDays: d.cycleDays,
      ...(d.calendarId === undefined ? {} : { calendarId: d.calendarId }),
      ...(d.rulesetHash === undefined ? {} : { rulesetHash: d.rulesetHash }),
      ...(d.ledgerId === undefined ? {} : { ledgerId: d.ledgerId }),
      ...(d.errorCode === undefined ? {} : { fallbackBecause: d.errorCode }),
    },
  };
}

/**
 * Books trades: one SDK call per trade, then one SQLite transaction that stores the trade, its date,
 * rule and ruleset version, and the events. A fallback answer is booked as provisional (see
 * reconcileTrades). A business error rejects the trade with its reason; an infrastructure error is
 * only thrown when the client was built with `fallback: false`.
 */
export class TradeCapture {
  private counts = { attempts: 0, captured: 0, provisional: 0, rejected: 0, totalMs: 0, sdkMs: 0 };

  constructor(
    private readonly client: SettlementClient,
    private readonly store: TradeStore,
  ) {}

  async capture(trade: Trade): Promise<CaptureResult> {
    const started = performance.now();
    const existing = this.store.find(trade.tradeId);
    if (existing) return { outcome: 'duplicate', tradeId: trade.tradeId, settlementDate: existing.settlement_date };
    this.counts.attempts++;
    try {
      let details: SettlementDetails;
      const asked = performance.now();
      try {
        details = await this.client.getSettlementDateDetails({
          tradeDate: trade.tradeDate,
          assetClass: trade.assetClass,
          market: trade.market,
        });
      } catch (e) {
        if (!(e instanceof SettlementError) || !e.isCallerError) throw e;
        this.counts.sdkMs += performance.now() - asked;
        this.store.recordRejection(trade, e.reason, e.message);
        this.counts.rejected++;
        return { outcome: 'rejected', tradeId: trade.tradeId, code: e.reason, reason: e.message };
      }
      this.counts.sdkMs += performance.now() - asked;
      const a = toAssignment(details);
      this.store.insertCaptured(trade, a);
      this.counts.captured++;
      if (details.provisional) this.counts.provisional++;
      return {
        outcome: 'captured',
        tradeId: trade.tradeId,
        settlementDate: a.settlementDate,
        source: a.source,
        provisional: details.provisional,
        ruleId: a.ruleId,
        rulesetVersion: a.rulesetVersion,
      };
    } finally {
      this.counts.totalMs += performance.now() - started;
    }
  }

  stats(): CaptureStats {
    return { ...this.counts };
  }
}
