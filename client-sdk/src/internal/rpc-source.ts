import type CircuitBreaker from 'opossum';
import type { BreakerOptions } from '../types.js';
import type { AnswerSource } from './answer-source.js';
import { createBreaker } from './breakers.js';
import type { CoalesceConfig } from './coalesce-options.js';
import { CoalescingSource } from './coalescing-source.js';
import type { RpcActions } from './rpc-actions.js';

/** An answer source of RPC mode and the breaker of the GetSettlementDate method it fires through. */
export interface RpcSource {
  readonly source: AnswerSource;
  readonly breaker: CircuitBreaker;
}

/**
 * RPC mode: coalesced batch RPCs (the default) or one unary RPC per call (`coalesce: false`). Either
 * way the calls of getSettlementDate* share one breaker, reported as method GetSettlementDate.
 */
export function createRpcSource(
  actions: RpcActions,
  coalesce: CoalesceConfig | null,
  breakerOptions: BreakerOptions,
  ready: (timeoutMs: number) => Promise<void>,
): RpcSource {
  if (coalesce) {
    const breaker = createBreaker(actions.batch, breakerOptions);
    return { source: new CoalescingSource(breaker, coalesce, ready), breaker };
  }
  const breaker = createBreaker(actions.unary, breakerOptions);
  return { source: { decide: (req, deadlineMs, signal) => breaker.fire(req, deadlineMs, signal), ready }, breaker };
}
