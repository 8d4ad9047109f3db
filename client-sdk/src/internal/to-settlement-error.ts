import { SettlementError, Status, statusName } from '../settlement-error.js';

interface GrpcLikeError {
  readonly code: number;
  readonly details?: string;
  readonly message?: string;
  readonly metadata?: { get(key: string): unknown[] };
}

function isGrpcError(e: unknown): e is GrpcLikeError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number';
}

/** Any failure of a call (grpc-js error, opossum rejection, anything else) as a SettlementError. */
export function toSettlementError(e: unknown): SettlementError {
  if (e instanceof SettlementError) return e;
  if (isGrpcError(e)) {
    const reason = e.metadata?.get('tplus-error-reason')[0];
    return new SettlementError(e.code, typeof reason === 'string' ? reason : statusName(e.code), e.details || e.message || statusName(e.code));
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EOPENBREAKER') return new SettlementError(Status.UNAVAILABLE, 'BREAKER_OPEN', 'circuit breaker is open: the service is failing');
  const message = e instanceof Error ? e.message : String(e);
  return new SettlementError(Status.UNKNOWN, 'UNKNOWN', message);
}

/** The gRPC status a batch item's domain error code would have had as a unary call. */
const ITEM_STATUS: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  INVALID_DATE: Status.INVALID_ARGUMENT,
  BATCH_TOO_LARGE: Status.INVALID_ARGUMENT,
  NO_RULE: Status.NOT_FOUND,
  CALENDAR_NOT_FOUND: Status.NOT_FOUND,
  NOT_A_TRADING_DAY: Status.FAILED_PRECONDITION,
  VERSION_NOT_HELD: Status.FAILED_PRECONDITION,
  CALENDAR_OUT_OF_RANGE: Status.OUT_OF_RANGE,
};

export function itemError(code: string, message: string): SettlementError {
  return new SettlementError(ITEM_STATUS[code] ?? Status.INTERNAL, code, message);
}
