import type { KeyObject } from 'node:crypto';
import type { ActivatedRuleset__Output as ActivatedRulesetMessage } from '../generated/types/tplus/settlement/v1/ActivatedRuleset.js';
import { DOCUMENT_REJECT_REASONS, DocumentRejected, verifyDocument, type DocumentRejectReason, type Ruleset } from '@tplus/core';

/** A version as WatchRuleset sends it, generated from the proto (camelCase, longs as numbers, bytes as Buffer). */
export type { ActivatedRuleset__Output as ActivatedRulesetMessage } from '../generated/types/tplus/settlement/v1/ActivatedRuleset.js';

/** Why a synced version was refused: the `reason` label of tplus_client_ruleset_rejected_total (the core's reasons). */
export const RULESET_REJECT_REASONS = DOCUMENT_REJECT_REASONS;
export type RulesetRejectReason = DocumentRejectReason;
/** A refused version: the core's error, the same one the sidecar's follower raises. */
export { DocumentRejected as RulesetRejected };

/** A version that passed every check, built once. */
export interface SyncedRuleset {
  readonly ruleset: Ruleset;
  readonly source: string;
  readonly activatedAt: string;
  /** True when its registry signature was verified against a trusted key. */
  readonly signatureVerified: boolean;
}

/**
 * The checks the sidecar's own follower makes (@tplus/core verifyDocument), made again in the trading
 * process: the document's sha256 always; with trusted keys, an ed25519 signature that verifies with one
 * of them (an unsigned version is then refused); a canonical document that builds a Ruleset.
 */
export function verifyRuleset(m: ActivatedRulesetMessage, trusted: readonly KeyObject[]): SyncedRuleset {
  const { ruleset } = verifyDocument({ ...m, version: m.rulesetVersion }, trusted);
  return { ruleset, source: m.source, activatedAt: m.activatedAt, signatureVerified: trusted.length > 0 };
}
