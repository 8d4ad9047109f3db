import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { encodeStatusDetails } from '../../rpc/index.js';
import { ERROR_REASON_KEY, STATUS_DETAILS_KEY } from '../../rpc/index.js';
import { wellFormed } from '../../rpc/index.js';
import { RegistryError, type RegistryErrorCode } from './registry-error.js';

/** THE mapping from registry error codes to gRPC status codes. */
export const REGISTRY_STATUS_BY_CODE: Readonly<Record<RegistryErrorCode, status>> = Object.freeze({
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  INVALID_PACK: status.INVALID_ARGUMENT,
  VERSION_CONFLICT: status.FAILED_PRECONDITION,
  VERSION_NOT_FOUND: status.NOT_FOUND,
  RELAY_READ_ONLY: status.FAILED_PRECONDITION,
  VERSION_CORRUPT: status.DATA_LOSS,
  WATCH_TOO_SLOW: status.RESOURCE_EXHAUSTED,
  STORE_UNAVAILABLE: status.UNAVAILABLE,
});

export const REGISTRY_ERROR_DOMAIN = 'tplus.registry.v1';
export const REGISTRY_INTERNAL_MESSAGE = 'internal error; the registry logged the details';

export interface RegistryFailure {
  readonly code: status;
  /** The registry error code, or INTERNAL. */
  readonly reason: string;
  readonly message: string;
  readonly details: Readonly<Record<string, string>>;
  /** False when unexpected (logged with its stack; the caller sees a generic message). */
  readonly expected: boolean;
}

export function toRegistryFailure(err: unknown): RegistryFailure {
  if (err instanceof RegistryError) {
    return {
      code: REGISTRY_STATUS_BY_CODE[err.code],
      reason: err.code,
      message: wellFormed(err.message),
      details: err.details,
      expected: true,
    };
  }
  return { code: status.INTERNAL, reason: 'INTERNAL', message: REGISTRY_INTERNAL_MESSAGE, details: {}, expected: false };
}

/** The status sent for a failure: code, message, reason key and ErrorInfo details. */
export function registryFailureStatus(f: RegistryFailure): Partial<StatusObject> {
  const metadata = new Metadata();
  metadata.set(ERROR_REASON_KEY, f.reason);
  // The message can list many pack problems: keep the binary details small (reason and details only).
  metadata.set(
    STATUS_DETAILS_KEY,
    encodeStatusDetails(f.code, f.reason, { reason: f.reason, domain: REGISTRY_ERROR_DOMAIN, metadata: f.details }),
  );
  return { code: f.code, details: f.message, metadata };
}
