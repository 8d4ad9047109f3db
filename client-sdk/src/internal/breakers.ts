import CircuitBreaker from 'opossum';
import { CALLER_ERROR_CODES } from '../settlement-error.js';
import type { BreakerOptions, BreakerState } from '../types.js';

/**
 * A breaker for one RPC method. Each gets a fresh options object (opossum writes its defaults into
 * it), no breaker-wide AbortController (it stays aborted after one timeout, opossum #780/#861) and no
 * opossum timeout: every call carries its own gRPC deadline instead and is cancelled by grpc-js.
 */
export function createBreaker<A extends unknown[], R>(action: (...args: A) => Promise<R>, options: BreakerOptions): CircuitBreaker<A, R> {
  return new CircuitBreaker(action, {
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    volumeThreshold: options.volumeThreshold ?? 5,
    resetTimeout: options.resetTimeoutMs ?? 2_000,
    rollingCountTimeout: options.rollingCountTimeoutMs ?? 10_000,
    rollingCountBuckets: 10,
    // Caller and rules errors (bad date, NO_RULE, ...) are answers, not failures of the service.
    errorFilter: (err: unknown) => {
      const code = (err as { code?: unknown } | null)?.code;
      return typeof code === 'number' && CALLER_ERROR_CODES.has(code);
    },
  });
}

export function stateOf<A extends unknown[], R>(breaker: CircuitBreaker<A, R>): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'halfOpen';
  return 'closed';
}
