/** Every reason the registry refuses a call; `to-registry-status.ts` maps each to one gRPC status. */
export const REGISTRY_ERROR_CODES = [
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'INVALID_ARGUMENT',
  'INVALID_PACK',
  'VERSION_CONFLICT',
  'VERSION_NOT_FOUND',
  'RELAY_READ_ONLY',
  'VERSION_CORRUPT',
  'WATCH_TOO_SLOW',
  'STORE_UNAVAILABLE',
] as const;

export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

/** The one error type registry handlers throw on purpose; anything else becomes INTERNAL. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly details: Readonly<Record<string, string>>;

  constructor(code: RegistryErrorCode, message: string, details: Readonly<Record<string, string>> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}
