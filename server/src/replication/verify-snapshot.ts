import type { KeyObject } from 'node:crypto';
import { Ruleset } from '../domain/ruleset.js';
import type { RulesetDocument } from '../domain/ruleset-document.js';
import { canonicalJson } from '../pack/ruleset-hash.js';
import type { SnapshotMessage } from '../registry/registry-wire.js';
import { sha256Hex, verifyFields } from '../registry/snapshot-signature.js';
import type { StoredRuleset } from '../store/stored-ruleset.js';

export const REJECT_REASONS = ['missing_signature', 'bad_hash', 'bad_signature', 'invalid_document', 'non_canonical', 'store_failed'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A snapshot that must not be served; `reason` is the metric label. */
export class SnapshotRejected extends Error {
  override readonly name = 'SnapshotRejected';

  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks a snapshot end to end before anything is stored: the document's sha256 is recomputed, the
 * ed25519 signature over (version, parent, sha256, author, reason, time, rollback) must verify with
 * the configured key, and the document must be canonical and build a Ruleset. Throws SnapshotRejected.
 */
export function verifySnapshot(s: SnapshotMessage, publicKey: KeyObject, source: string): StoredRuleset {
  if (s.signature.length === 0) throw new SnapshotRejected('missing_signature', `version ${s.version} carries no signature`);
  const actual = sha256Hex(s.document);
  if (actual !== s.sha256) throw new SnapshotRejected('bad_hash', `version ${s.version}: document sha256 ${actual} is not the announced ${s.sha256}`);
  if (!verifyFields(s, s.signature, publicKey)) {
    throw new SnapshotRejected('bad_signature', `version ${s.version}: the signature (key ${s.keyId || 'unknown'}) does not verify with the configured public key`);
  }
  const text = s.document.toString('utf8');
  let document: RulesetDocument;
  try {
    document = JSON.parse(text) as RulesetDocument;
    new Ruleset(document, { version: s.version, hash: s.sha256 });
  } catch (err) {
    throw new SnapshotRejected('invalid_document', `version ${s.version}: the document does not build a ruleset (${err instanceof Error ? err.message : String(err)})`);
  }
  if (canonicalJson(document) !== text) throw new SnapshotRejected('non_canonical', `version ${s.version}: the document is not in canonical form`);
  return { version: s.version, hash: s.sha256, source, publishedAt: s.publishedAt, document };
}
