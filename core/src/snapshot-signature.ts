import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './ruleset-hash.js';

/** Domain separation: a signature over a snapshot can never be mistaken for one over anything else. */
export const SIGNATURE_DOMAIN = 'tplus.registry.v1.snapshot';

/** The fields a signature covers (everything of a version but the document, which `sha256` binds). */
export interface SignedFields {
  readonly version: number;
  readonly parentVersion: number;
  readonly sha256: string;
  readonly author: string;
  readonly reason: string;
  readonly publishedAt: string;
  /** 0 when not a rollback. */
  readonly rollbackOf: number;
  /** Who approved it (four-eyes publishing); absent or '' when no approval was required. */
  readonly approver?: string | undefined;
}

/**
 * The exact bytes that are signed (see registry.proto, "Signing"). `approver` is a key only when set,
 * so every version signed before four-eyes publishing existed verifies unchanged.
 */
export function signedPayload(f: SignedFields): Buffer {
  return Buffer.from(
    canonicalJson({
      ...(f.approver ? { approver: f.approver } : {}),
      author: f.author,
      domain: SIGNATURE_DOMAIN,
      parent_version: f.parentVersion,
      published_at: f.publishedAt,
      reason: f.reason,
      rollback_of: f.rollbackOf,
      sha256: f.sha256,
      version: f.version,
    }),
    'utf8',
  );
}

/** True only for a valid ed25519 signature of exactly these fields by `publicKey`. */
export function verifyFields(f: SignedFields, signature: Buffer, publicKey: KeyObject): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, signedPayload(f), publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * The trusted keys a version signed with key id `id` is checked against: the one with that id (several
 * keys are trusted while the signing key rotates), or every key when `id` is empty (records from before
 * key ids). Empty when no trusted key has that id.
 */
export function keysFor(keys: readonly KeyObject[], id: string): KeyObject[] {
  return id === '' ? [...keys] : keys.filter((k) => keyId(k) === id);
}

/** Key ids of `keys`, for messages ("trusted: a, b"). */
export function keyIds(keys: readonly KeyObject[]): string {
  return keys.map(keyId).join(', ');
}

/** First 16 hex digits of sha256(SPKI DER) of a key (private keys: of their public half). */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
