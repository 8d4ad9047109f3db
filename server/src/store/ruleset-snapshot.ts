import { Ruleset } from '../domain/ruleset.js';
import type { RulesetDocument } from '../domain/ruleset-document.js';
import { rulesetHash } from '../pack/ruleset-hash.js';
import type { StoredRulesetRow } from './stored-ruleset.js';

/** One version held in memory, fully indexed, with where it came from. */
export interface HeldRuleset {
  readonly ruleset: Ruleset;
  readonly source: string;
  readonly publishedAt: string;
}

/**
 * Everything a request may read, as one immutable value: the active version and every version still
 * held. Swapped as a whole (one reference), so no request ever sees a mix of two versions.
 */
export interface RulesetSnapshot {
  readonly active: HeldRuleset;
  /** By version, newest first; includes the active version. */
  readonly held: ReadonlyMap<number, HeldRuleset>;
  /** RFC 3339 UTC: when this snapshot was built. */
  readonly loadedAt: string;
}

export interface RejectedVersion {
  readonly version: number;
  readonly reason: string;
}

export interface BuiltSnapshot {
  /** Null when no stored version is usable. */
  readonly snapshot: RulesetSnapshot | null;
  readonly rejected: readonly RejectedVersion[];
}

function build(row: StoredRulesetRow, previous: RulesetSnapshot | null): HeldRuleset {
  const reused = previous?.held.get(row.version);
  if (reused && reused.ruleset.hash === row.hash) return reused;
  const document = JSON.parse(row.documentJson) as RulesetDocument;
  const hash = rulesetHash(document);
  if (hash !== row.hash) throw new Error(`content hash ${hash} does not match the recorded ${row.hash}`);
  return {
    ruleset: new Ruleset(document, { version: row.version, hash: row.hash }),
    source: row.source,
    publishedAt: row.publishedAt,
  };
}

/**
 * Builds the in-memory index from stored rows (newest first). Each version's hash is verified; a
 * corrupt version is rejected and reported, never served. When the recorded active version is
 * unusable, the newest good version becomes active. Versions already built in `previous` are reused.
 */
export function buildSnapshot(
  rows: readonly StoredRulesetRow[],
  activeVersion: number | null,
  loadedAt: string,
  previous: RulesetSnapshot | null = null,
): BuiltSnapshot {
  const held = new Map<number, HeldRuleset>();
  const rejected: RejectedVersion[] = [];
  for (const row of rows) {
    try {
      held.set(row.version, build(row, previous));
    } catch (err) {
      rejected.push({ version: row.version, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const active = (activeVersion === null ? undefined : held.get(activeVersion)) ?? held.values().next().value;
  if (active === undefined) return { snapshot: null, rejected };
  return { snapshot: { active, held, loadedAt }, rejected };
}
