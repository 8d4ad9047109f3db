import type { KeyObject } from 'node:crypto';
import { DocumentRejected, sha256Hex, verifyDocument, verifyDocumentSliced, verifyFields } from '@tplus/core';
import type { Ruleset, RulesetDocument, Yielder } from '@tplus/core';
import type { SnapshotMessage } from '../registry/index.js';
import type { StoredRuleset } from '../store/index.js';

/** Why a snapshot or a stored version is refused: the `reason` label of tplus_snapshot_rejected_total. */
export const REJECT_REASONS = [
  'missing_signature',
  'bad_hash',
  'bad_signature',
  'invalid_document',
  'non_canonical',
  'store_failed',
  'local_corrupt',
  'local_unsigned',
] as const;
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

/** A snapshot that passed every check, with the Ruleset the check built (install it; never build it again). */
export interface VerifiedSnapshot {
  readonly snapshot: SnapshotMessage;
  readonly entry: StoredRuleset;
  readonly ruleset: Ruleset;
}

/**
 * The cryptographic checks alone (no document build): the document's sha256 is recomputed and the
 * ed25519 signature must verify with `publicKey`. For measuring fan-out, where building is not wanted.
 */
export function verifySignedSnapshot(s: SnapshotMessage, publicKey: KeyObject): void {
  if (s.signature.length === 0) throw new SnapshotRejected('missing_signature', `version ${s.version} carries no signature`);
  const actual = sha256Hex(s.document);
  if (actual !== s.sha256)
    throw new SnapshotRejected('bad_hash', `version ${s.version}: document sha256 ${actual} is not the announced ${s.sha256}`);
  if (!verifyFields(s, s.signature, publicKey))
    throw new SnapshotRejected('bad_signature', `version ${s.version}: the signature does not verify with the configured public key`);
}

/**
 * Checks a snapshot end to end before anything is stored: the core's checks (hash; signature with
 * `publicKey`, or with the one of several trusted keys whose id the snapshot carries; null checks the hash only, for tools that were given no key; a canonical document that
 * builds a Ruleset). Returns that Ruleset so the caller installs it without building it again.
 * Throws SnapshotRejected.
 */
export function verifyAndBuild(s: SnapshotMessage, publicKey: KeyObject | readonly KeyObject[] | null, source: string): VerifiedSnapshot {
  try {
    return verified(s, verifyDocument(s, trustedKeys(publicKey)), source);
  } catch (err) {
    throw asRejected(err);
  }
}

/**
 * verifyAndBuild in stretches that give the event loop back through `y` (every check kept, the same
 * SnapshotRejected reasons): a sidecar keeps answering while it verifies and builds a new version.
 */
export async function verifyAndBuildSliced(
  s: SnapshotMessage,
  publicKey: KeyObject | readonly KeyObject[] | null,
  source: string,
  y: Yielder,
): Promise<VerifiedSnapshot> {
  try {
    return verified(s, await verifyDocumentSliced(s, trustedKeys(publicKey), y), source);
  } catch (err) {
    throw asRejected(err);
  }
}

function trustedKeys(publicKey: KeyObject | readonly KeyObject[] | null): readonly KeyObject[] {
  if (publicKey === null) return [];
  return Array.isArray(publicKey) ? (publicKey as readonly KeyObject[]) : [publicKey as KeyObject];
}

function asRejected(err: unknown): unknown {
  return err instanceof DocumentRejected ? new SnapshotRejected(err.reason, err.message) : err;
}

function verified(
  s: SnapshotMessage,
  built: { readonly document: RulesetDocument; readonly ruleset: Ruleset },
  source: string,
): VerifiedSnapshot {
  const signed =
    s.signature.length === 0
      ? {}
      : {
          signed: {
            parentVersion: s.parentVersion,
            author: s.author,
            reason: s.reason,
            rollbackOf: s.rollbackOf,
            signature: s.signature,
            keyId: s.keyId,
            ...(s.approver === '' ? {} : { approver: s.approver }),
          },
        };
  return {
    snapshot: s,
    entry: { version: s.version, hash: s.sha256, source, publishedAt: s.publishedAt, document: built.document, ...signed },
    ruleset: built.ruleset,
  };
}

/** verifyAndBuild for callers that only need the version to store. */
export function verifySnapshot(s: SnapshotMessage, publicKey: KeyObject | readonly KeyObject[], source: string): StoredRuleset {
  return verifyAndBuild(s, publicKey, source).entry;
}
