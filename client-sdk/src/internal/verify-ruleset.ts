import type { KeyObject } from 'node:crypto';
import { canonicalJson, Ruleset, sha256Hex, verifyFields, type RulesetDocument } from '@tplus/core';

/** A version as WatchRuleset sends it (proto-loader: camelCase, longs as numbers, bytes as Buffer). */
export interface ActivatedRulesetMessage {
  readonly rulesetVersion: number;
  readonly sha256: string;
  readonly document: Buffer;
  readonly signature: Buffer;
  readonly keyId: string;
  readonly source: string;
  readonly activatedAt: string;
  readonly parentVersion: number;
  readonly author: string;
  readonly reason: string;
  readonly publishedAt: string;
  readonly rollbackOf: number;
}

/** Why a synced version was refused: the `reason` label of tplus_client_ruleset_rejected_total. */
export const RULESET_REJECT_REASONS = ['bad_hash', 'missing_signature', 'bad_signature', 'non_canonical', 'invalid_document'] as const;
export type RulesetRejectReason = (typeof RULESET_REJECT_REASONS)[number];

export class RulesetRejected extends Error {
  override readonly name = 'RulesetRejected';

  constructor(
    readonly reason: RulesetRejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** A version that passed every check, built once. */
export interface SyncedRuleset {
  readonly ruleset: Ruleset;
  readonly source: string;
  readonly activatedAt: string;
  /** True when its registry signature was verified against a trusted key. */
  readonly signatureVerified: boolean;
}

/**
 * The checks the sidecar's own follower makes, made again in the trading process: the document's
 * sha256 always; with trusted keys, an ed25519 signature that verifies with one of them (an unsigned
 * version is then refused); a canonical document that builds a Ruleset with @tplus/core.
 */
export function verifyRuleset(m: ActivatedRulesetMessage, trusted: readonly KeyObject[]): SyncedRuleset {
  const v = m.rulesetVersion;
  const actual = sha256Hex(m.document);
  if (actual !== m.sha256) throw new RulesetRejected('bad_hash', `version ${v}: document sha256 ${actual} is not the announced ${m.sha256}`);
  if (trusted.length > 0) {
    if (m.signature.length === 0) throw new RulesetRejected('missing_signature', `version ${v} carries no signature, and trust.publicKeys requires one`);
    const fields = { version: v, parentVersion: m.parentVersion, sha256: m.sha256, author: m.author, reason: m.reason, publishedAt: m.publishedAt, rollbackOf: m.rollbackOf };
    if (!trusted.some((key) => verifyFields(fields, m.signature, key))) {
      throw new RulesetRejected('bad_signature', `version ${v}: the signature (key ${m.keyId || 'unknown'}) does not verify with any trusted public key`);
    }
  }
  const text = m.document.toString('utf8');
  let document: RulesetDocument;
  let ruleset: Ruleset;
  try {
    document = JSON.parse(text) as RulesetDocument;
    ruleset = new Ruleset(document, { version: v, hash: m.sha256 });
  } catch (err) {
    throw new RulesetRejected('invalid_document', `version ${v}: the document does not build a ruleset (${err instanceof Error ? err.message : String(err)})`);
  }
  if (canonicalJson(document) !== text) throw new RulesetRejected('non_canonical', `version ${v}: the document is not in canonical form`);
  return { ruleset, source: m.source, activatedAt: m.activatedAt, signatureVerified: trusted.length > 0 };
}
