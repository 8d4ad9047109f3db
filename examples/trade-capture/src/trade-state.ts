/**
 * The life of a trade:
 *
 *   TRADE_CAPTURED → AWAITING_SETTLEMENT → SETTLEMENT_IN_PROGRESS → SETTLED | FAILED
 *
 * Anything else is refused. SETTLED and FAILED are final.
 */
export const TRADE_STATES = ['TRADE_CAPTURED', 'AWAITING_SETTLEMENT', 'SETTLEMENT_IN_PROGRESS', 'SETTLED', 'FAILED'] as const;
export type TradeState = (typeof TRADE_STATES)[number];

const NEXT: Readonly<Record<TradeState, readonly TradeState[]>> = {
  TRADE_CAPTURED: ['AWAITING_SETTLEMENT'],
  AWAITING_SETTLEMENT: ['SETTLEMENT_IN_PROGRESS'],
  SETTLEMENT_IN_PROGRESS: ['SETTLED', 'FAILED'],
  SETTLED: [],
  FAILED: [],
};

/** The event types of `trade_events`. */
export const TRADE_EVENT_TYPES = [
  'TRADE_CAPTURED',
  'SETTLEMENT_DATE_ASSIGNED',
  'SETTLEMENT_DATE_CORRECTED',
  'SETTLEMENT_STARTED',
  'SETTLED',
  'FAILED',
] as const;
export type TradeEventType = (typeof TRADE_EVENT_TYPES)[number];

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly tradeId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`trade ${tradeId}: illegal transition ${from} → ${to}`);
  }
}

export function isTradeState(s: string): s is TradeState {
  return (TRADE_STATES as readonly string[]).includes(s);
}

export function canTransition(from: string, to: TradeState): boolean {
  return isTradeState(from) && NEXT[from].includes(to);
}

/** Throws IllegalTransitionError unless `from → to` is an edge of the state machine. */
export function assertTransition(tradeId: string, from: string, to: TradeState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(tradeId, from, to);
}
