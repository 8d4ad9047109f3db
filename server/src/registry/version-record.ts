import type { SignedFields } from '@tplus/core';

/** One immutable registry version, as stored and as shipped (the document as canonical JSON bytes). */
export interface VersionRecord extends SignedFields {
  readonly signature: Buffer;
  readonly keyId: string;
  readonly document: Buffer;
}

/** One audit row: every call, allowed or not. `who` is the authenticated identity's name, "anonymous", "invalid" or "registry" (expiry); never a token. */
export interface AuditEntry {
  readonly at: string;
  readonly who: string;
  readonly action: string;
  readonly detail: string;
  readonly result: string;
}
