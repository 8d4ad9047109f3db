import { STATUS_BY_DECISION_ERROR } from '@tplus/core';
import { SettlementError, Status, statusName } from '../settlement-error.js';

interface GrpcLikeError {
  readonly code: number;
  readonly details?: string;
  readonly message?: string;
  readonly metadata?: { get(key: string): unknown[] };
}

/** grpc-js appends "Resolution note: " to connection errors even when it has no note: drop that empty tail. */
function plain(details: string): string {
  return details.replace(/\s*Resolution note:\s*$/, '').trim();
}

function isGrpcError(e: unknown): e is GrpcLikeError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number';
}

/** Any failure of a call (grpc-js error, opossum rejection, anything else) as a SettlementError whose `cause` is that failure. */
export function toSettlementError(e: unknown): SettlementError {
  if (e instanceof SettlementError) return e;
  if (isGrpcError(e)) {
    const reason = e.metadata?.get('tplus-error-reason')[0];
    return new SettlementError(
      e.code,
      typeof reason === 'string' ? reason : statusName(e.code),
      plain(e.details || e.message || '') || statusName(e.code),
      { cause: e },
    );
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EOPENBREAKER')
    return new SettlementError(Status.UNAVAILABLE, 'BREAKER_OPEN', 'circuit breaker is open: the service is failing', { cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return new SettlementError(Status.UNKNOWN, 'UNKNOWN', message, { cause: e });
}

/** A batch item's (or an in-process answer's) domain error, with the status a unary call would have had (the core's one table). */
export function itemError(code: string, message: string): SettlementError {
  const status = Object.hasOwn(STATUS_BY_DECISION_ERROR, code)
    ? STATUS_BY_DECISION_ERROR[code as keyof typeof STATUS_BY_DECISION_ERROR]
    : Status.INTERNAL;
  return new SettlementError(status, code, message);
}
