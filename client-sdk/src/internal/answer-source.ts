import type { DecisionMessage, RequestMessage } from './settlement-stub.js';

/**
 * Where the answers of getSettlementDate and getSettlementDateDetails come from. The client wraps
 * every answer the same way (metrics, caller errors, fallback, ledger, alerts), whichever source it
 * uses. RPC mode has two: one unary RPC per call (`coalesce: false`) and coalesced batch RPCs.
 */
export interface AnswerSource {
  /**
   * The decision for one validated request, or a rejection: a SettlementError for a per-item error,
   * anything else (grpc-js error, opossum rejection) for a failed call. `deadlineMs` is the call's own;
   * when `signal` aborts, the call rejects with SettlementError CANCELLED.
   */
  decide(req: RequestMessage, deadlineMs: number, signal?: AbortSignal): Promise<DecisionMessage>;
  /** Resolves once the source can answer; rejects with a SettlementError after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
}
