import { Ruleset } from '@tplus/core';
import type { RulesetDocument } from '@tplus/core';
import { rulesetHash } from '@tplus/core';
import type { SignedProvenance, StoredRulesetRow } from './stored-ruleset.js';

/** One version held in memory, fully indexed, with where it came from. */
export interface HeldRuleset {
  readonly ruleset: Ruleset;
  readonly source: string;
  readonly publishedAt: string;
  /** The registry's signature and what it covers; null for versions never signed (the bundled pack). */
  readonly signed: SignedProvenance | null;
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
  /**
   * The highest version this sidecar ever activated. Above the active version it means an older
   * version is being served (the newer one failed verification at rest): said in metrics, health and logs.
   */
  readonly lastActivatedVersion: number;
}

/** Why a stored version is refused: altered bytes or signature (`local_corrupt`), or no signature where one is required. */
export type LocalRejectReason = 'local_corrupt' | 'local_unsigned';

/** Thrown by a row check: the version must not be served. */
export class LocalVersionRejected extends Error {
  override readonly name = 'LocalVersionRejected';

  constructor(
    readonly reason: LocalRejectReason,
    message: string,
  ) {
    super(message);
  }
}

export interface RejectedVersion {
  readonly version: number;
  readonly reason: LocalRejectReason;
  readonly message: string;
}

/** Extra checks of a stored row beyond its hash (e.g. the registry signature); throws LocalVersionRejected. */
export type RowCheck = (row: StoredRulesetRow) => void;

export interface BuiltSnapshot {
  /** Null when no stored version is usable. */
  readonly snapshot: RulesetSnapshot | null;
  readonly rejected: readonly RejectedVersion[];
}

function build(row: StoredRulesetRow, previous: RulesetSnapshot | null, check: RowCheck | null): HeldRuleset {
  const reused = previous?.held.get(row.version);
  if (reused && reused.ruleset.hash === row.hash) return reused;
  let document: RulesetDocument;
  try {
    document = JSON.parse(row.documentJson) as RulesetDocument;
  } catch {
    throw new LocalVersionRejected('local_corrupt', `version ${row.version}: the stored document is not JSON`);
  }
  const hash = rulesetHash(document);
  if (hash !== row.hash)
    throw new LocalVersionRejected('local_corrupt', `version ${row.version}: content hash ${hash} does not match the recorded ${row.hash}`);
  check?.(row);
  return {
    ruleset: new Ruleset(document, { version: row.version, hash: row.hash }),
    source: row.source,
    publishedAt: row.publishedAt,
    signed: row.signed,
  };
}

export interface BuildOptions {
  /** The version recorded as active; when unusable, the newest good version becomes active. */
  readonly activeVersion: number | null;
  readonly lastActivatedVersion: number;
  readonly loadedAt: string;
  /** Versions already built (and verified) there are reused, not built again. */
  readonly previous?: RulesetSnapshot | null;
  readonly check?: RowCheck | null;
}

/**
 * Builds the in-memory index from stored rows (newest first). Each version's hash (and `check`) is
 * verified; a corrupt version is rejected and reported, never served.
 */
export function buildSnapshot(rows: readonly StoredRulesetRow[], o: BuildOptions): BuiltSnapshot {
  const held = new Map<number, HeldRuleset>();
  const rejected: RejectedVersion[] = [];
  for (const row of rows) {
    try {
      held.set(row.version, build(row, o.previous ?? null, o.check ?? null));
    } catch (err) {
      if (!(err instanceof LocalVersionRejected)) throw err;
      rejected.push({ version: row.version, reason: err.reason, message: err.message });
    }
  }
  const active = (o.activeVersion === null ? undefined : held.get(o.activeVersion)) ?? held.values().next().value;
  if (active === undefined) return { snapshot: null, rejected };
  const lastActivatedVersion = Math.max(o.lastActivatedVersion, active.ruleset.version);
  return { snapshot: { active, held, loadedAt: o.loadedAt, lastActivatedVersion }, rejected };
}
