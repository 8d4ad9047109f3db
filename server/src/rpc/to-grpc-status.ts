import { status } from '@grpc/grpc-js';
import { isDecisionError, STATUS_BY_DECISION_ERROR, type DecisionErrorCode } from '@tplus/core';

/**
 * The mapping from domain error codes to gRPC status codes: the core's one table (the SDK answers
 * in-process with the same), typed as grpc-js statuses.
 */
export const GRPC_STATUS_BY_REASON: Readonly<Record<DecisionErrorCode, status>> = STATUS_BY_DECISION_ERROR;

/** The reason reported for anything that is not a domain error. */
export const INTERNAL_REASON = 'INTERNAL';
/** The only text a caller ever sees for an unexpected failure; the details go to the server log. */
export const INTERNAL_MESSAGE = 'internal error; the sidecar logged the details';

export interface GrpcFailure {
  readonly code: status;
  /** The domain error code, or INTERNAL. */
  readonly reason: string;
  /** Names the field and value for domain errors; generic for anything else. */
  readonly message: string;
  /** ErrorInfo metadata: the domain error's details (field, value, ...). */
  readonly details: Readonly<Record<string, string>>;
  /** False when the error was unexpected (and should be logged with its stack). */
  readonly expected: boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone UTF-16 surrogates (which grpc-js cannot percent-encode) with U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** gRPC status code of a domain error code. */
export function grpcStatusOf(reason: DecisionErrorCode): status {
  return GRPC_STATUS_BY_REASON[reason];
}

/** Maps anything thrown by a handler to what the caller is told. Never leaks non-domain text. */
export function toGrpcStatus(err: unknown): GrpcFailure {
  if (isDecisionError(err)) {
    // Messages travel in an HTTP/2 trailer, which grpc-js percent-encodes: keep them well-formed.
    return { code: grpcStatusOf(err.code), reason: err.code, message: wellFormed(err.message), details: err.details, expected: true };
  }
  return { code: status.INTERNAL, reason: INTERNAL_REASON, message: INTERNAL_MESSAGE, details: {}, expected: false };
}
