import { isBranded, setBrand } from './internal/brand.js';

/** gRPC status codes the SDK names (values from the gRPC spec). */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * Statuses that mean the request or the rules are wrong, or the caller aborted the call (CANCELLED):
 * thrown, never answered by the fallback, never counted by the breaker.
 */
export const CALLER_ERROR_CODES: ReadonlySet<number> = new Set([
  Status.CANCELLED,
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.FAILED_PRECONDITION,
  Status.OUT_OF_RANGE,
  Status.PERMISSION_DENIED,
  Status.UNAUTHENTICATED,
]);

const NAMES = new Map<number, string>(Object.entries(Status).map(([name, code]) => [code, name]));

export function statusName(code: number): string {
  return NAMES.get(code) ?? `STATUS_${code}`;
}

const BRAND = Symbol.for('@tplus/client-sdk.SettlementError');

/**
 * A refused or failed call. `code` is the gRPC status code; `reason` is the service's error code
 * (NO_RULE, INVALID_DATE, NOT_A_TRADING_DAY, ...) or, for infrastructure failures, the status name
 * (UNAVAILABLE, DEADLINE_EXCEEDED), BREAKER_OPEN or CANCELLED. `cause` carries the underlying error
 * (the grpc-js error, the abort reason) when there is one.
 *
 * `instanceof SettlementError` also holds for an error made by another copy of the SDK in the same
 * process (its ESM and CommonJS builds loaded side by side): the check looks for a brand, not the class.
 */
export class SettlementError extends Error {
  override readonly name = 'SettlementError';
  readonly code: number;
  readonly reason: string;

  static {
    setBrand(this.prototype, BRAND);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, SettlementError, BRAND, value);
  }

  constructor(code: number, reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.reason = reason;
  }

  /** True when the caller or the rules are at fault (never a fallback, never counted by the breaker). */
  get isCallerError(): boolean {
    return CALLER_ERROR_CODES.has(this.code);
  }
}
