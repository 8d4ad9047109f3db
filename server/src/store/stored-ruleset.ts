import type { RulesetDocument } from '@tplus/core';

/**
 * What a registry signed besides version, sha256 and publish time (see registry.proto, "Signing"),
 * with the signature: kept at rest so every start re-verifies the version it may serve.
 */
export interface SignedProvenance {
  readonly parentVersion: number;
  readonly author: string;
  readonly reason: string;
  /** 0 when not a rollback. */
  readonly rollbackOf: number;
  readonly signature: Buffer;
  readonly keyId: string;
  /** Who approved it (four-eyes publishing); absent when no approval was required. Signed when set. */
  readonly approver?: string;
}

/** One ruleset version as the sidecar keeps it on disk: the compiled document and its identity. */
export interface StoredRuleset {
  /** Positive, unique; higher is newer. */
  readonly version: number;
  /** sha256 (hex) of the document's canonical JSON; verified again on every load. */
  readonly hash: string;
  /** Where the version came from, e.g. `bundled` or a registry address. */
  readonly source: string;
  /** RFC 3339 UTC. */
  readonly publishedAt: string;
  readonly document: RulesetDocument;
  /** Present for versions that came from a registry; absent for the bundled pack. */
  readonly signed?: SignedProvenance;
}

/** A stored row before its document is parsed and verified (the JSON text as read from SQLite). */
export interface StoredRulesetRow {
  readonly version: number;
  readonly hash: string;
  readonly source: string;
  readonly publishedAt: string;
  readonly documentJson: string;
  /** Null when the row carries no signature (bundled, or stored by a tplus before schema v2). */
  readonly signed: SignedProvenance | null;
}
