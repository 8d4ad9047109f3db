import { SettlementError, Status } from '../settlement-error.js';

/** The rejection of a call its caller aborted: CANCELLED, a caller error (no fallback, no breaker count). */
export function cancelledError(signal: AbortSignal): SettlementError {
  return new SettlementError(Status.CANCELLED, 'CANCELLED', 'the call was aborted by its AbortSignal', { cause: signal.reason });
}

/** CallOptions.signal checked: undefined, or an AbortSignal (a TypeError naming the option otherwise). */
export function callSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(`signal must be an AbortSignal, got ${JSON.stringify(signal) ?? typeof signal}`);
}

/** Runs `onAbort` once when `signal` aborts; returns the function that stops listening. */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
