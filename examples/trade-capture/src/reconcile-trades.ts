import { SettlementError, type ReconcileSummary, type SettlementClient } from '@tplus/client-sdk';
import { toAssignment } from './trade-capture.js';
import type { TradeRow } from './trade.js';
import type { DateAssignment, TradeStore } from './trade-store.js';

export interface TradeCorrection {
  readonly tradeId: string;
  readonly from: string;
  readonly to: string;
  readonly ruleId: string | null;
  readonly rulesetVersion: number | null;
  /** The trade had already left AWAITING_SETTLEMENT (a forced batch): an instruction went out on `from`. */
  readonly afterSettlementStarted: boolean;
}

export interface TradeReconcileSummary {
  /** What the SDK's own reconcile() did with its provisional ledger. */
  readonly sdk: ReconcileSummary;
  /** Provisional dates the service confirmed (SETTLEMENT_DATE_ASSIGNED, source service). */
  readonly confirmed: readonly string[];
  /** Provisional dates the service changed (SETTLEMENT_DATE_CORRECTED). */
  readonly corrected: readonly TradeCorrection[];
  /** The service now refuses these trades: they stay provisional (blocking their batch) for a human. */
  readonly rejected: readonly { readonly tradeId: string; readonly code: string }[];
  /** Still provisional: the service could not be reached. Run again later. */
  readonly remaining: readonly string[];
}

type Verdict = { kind: 'date'; a: DateAssignment } | { kind: 'rejected'; code: string } | { kind: 'open' };

/**
 * Replaces every provisional (fallback) date in the store with the service's answer. It runs the
 * SDK's reconcile() and reads the outcome of each trade's ledger entry; a trade whose entry the ledger
 * no longer holds (an in-memory ledger of a process that has since exited) is asked again directly.
 * A changed date appends SETTLEMENT_DATE_CORRECTED (old and new date both stay in the history); a
 * confirmed one appends SETTLEMENT_DATE_ASSIGNED with the rule and ruleset version. Safe to run twice.
 */
export async function reconcileTrades(client: SettlementClient, store: TradeStore): Promise<TradeReconcileSummary> {
  const sdk = await client.reconcile();
  const ledger = new Map(client.ledger.all().map((e) => [e.id, e]));
  const confirmed: string[] = [];
  const corrected: TradeCorrection[] = [];
  const rejected: { tradeId: string; code: string }[] = [];
  const remaining: string[] = [];
  for (const trade of store.provisional()) {
    const entry = ledger.get(ledgerIdOf(store, trade.trade_id) ?? '');
    let verdict: Verdict;
    if (!entry) verdict = await askAgain(client, trade);
    else if (entry.status === 'open') verdict = { kind: 'open' };
    else if (entry.status === 'rejected' || entry.serviceDate === undefined)
      verdict = { kind: 'rejected', code: entry.errorCode ?? 'UNKNOWN' };
    else {
      const detail = { provisional: false, ledgerId: entry.id, reconciledAt: entry.reconciledAt ?? null };
      verdict = {
        kind: 'date',
        a: {
          settlementDate: entry.serviceDate,
          source: 'service',
          ruleId: entry.ruleId ?? null,
          rulesetVersion: entry.rulesetVersion ?? null,
          detail,
        },
      };
    }
    if (verdict.kind === 'open') remaining.push(trade.trade_id);
    else if (verdict.kind === 'rejected') rejected.push({ tradeId: trade.trade_id, code: verdict.code });
    else if (verdict.a.settlementDate === trade.settlement_date) {
      store.reassignDate(trade.trade_id, 'SETTLEMENT_DATE_ASSIGNED', {
        ...verdict.a,
        detail: { ...verdict.a.detail, confirms: trade.settlement_date },
      });
      confirmed.push(trade.trade_id);
    } else {
      const afterSettlementStarted = trade.status !== 'AWAITING_SETTLEMENT' && trade.status !== 'TRADE_CAPTURED';
      const detail = { ...verdict.a.detail, from: trade.settlement_date, to: verdict.a.settlementDate, afterSettlementStarted };
      store.reassignDate(trade.trade_id, 'SETTLEMENT_DATE_CORRECTED', { ...verdict.a, detail });
      corrected.push({
        tradeId: trade.trade_id,
        from: trade.settlement_date,
        to: verdict.a.settlementDate,
        ruleId: verdict.a.ruleId,
        rulesetVersion: verdict.a.rulesetVersion,
        afterSettlementStarted,
      });
    }
  }
  return { sdk, confirmed, corrected, rejected, remaining };
}

/** The ledger entry behind the trade's current provisional date. */
function ledgerIdOf(store: TradeStore, tradeId: string): string | undefined {
  const e = store
    .events(tradeId)
    .filter((x) => x.settlementSource === 'fallback')
    .at(-1);
  const id = e?.detail['ledgerId'];
  return typeof id === 'string' ? id : undefined;
}

async function askAgain(client: SettlementClient, trade: TradeRow): Promise<Verdict> {
  try {
    const d = await client.getSettlementDateDetails(
      { tradeDate: trade.trade_date, assetClass: trade.asset_class, market: trade.market },
      { fallback: false },
    );
    return { kind: 'date', a: toAssignment(d) };
  } catch (e) {
    if (e instanceof SettlementError && e.isCallerError) return { kind: 'rejected', code: e.reason };
    return { kind: 'open' };
  }
}
