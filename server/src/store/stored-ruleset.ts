import type { RulesetDocument } from '../domain/ruleset-document.js';

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
}

/** A stored row before its document is parsed and verified (the JSON text as read from SQLite). */
export interface StoredRulesetRow {
  readonly version: number;
  readonly hash: string;
  readonly source: string;
  readonly publishedAt: string;
  readonly documentJson: string;
}
