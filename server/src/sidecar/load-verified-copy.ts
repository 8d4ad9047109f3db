import type { SnapshotRejections } from '../sync/index.js';
import { buildSnapshot, type RowCheck, type RulesetSnapshot } from '../store/index.js';
import type { RulesetStore } from '../store/index.js';
import type { Logger } from '../runtime/index.js';

export interface VerifiedCopyDeps {
  readonly store: RulesetStore;
  readonly log: Logger;
  readonly rejections: SnapshotRejections;
  /** Beyond the sha256 every version gets: the registry signature, for a following sidecar. */
  readonly check: RowCheck | null;
}

export interface VerifiedCopy {
  /** Null when no stored version is usable. */
  readonly snapshot: RulesetSnapshot | null;
  /** Versions quarantined by this load. */
  readonly quarantined: readonly number[];
}

/**
 * Reads the local copy and verifies every stored version (sha256, and `check`) before any may be
 * served. A version that fails is quarantined (moved aside with its bytes), counted in
 * `tplus_snapshot_rejected_total{reason}` and logged as an error; the active pointer then names the
 * version actually served, so pointer and memory never disagree. Versions in `previous` are reused.
 */
export function loadVerifiedCopy(deps: VerifiedCopyDeps, loadedAt: string, previous: RulesetSnapshot | null): VerifiedCopy {
  const { store, log } = deps;
  const built = buildSnapshot(store.rows(), {
    activeVersion: store.activeVersion(),
    lastActivatedVersion: store.highestActivated(),
    loadedAt,
    previous,
    check: deps.check,
  });
  const fallback = built.snapshot?.active.ruleset.version ?? null;
  for (const r of built.rejected) {
    store.quarantine(r.version, r.reason, fallback);
    deps.rejections.inc(r.reason);
    log.error('local_version_corrupt', {
      version: r.version,
      reason: r.reason,
      message: r.message,
      file: store.file,
      action: 'quarantined',
    });
  }
  if (built.snapshot !== null && fallback !== store.activeVersion()) store.activate(fallback as number);
  return { snapshot: built.snapshot, quarantined: built.rejected.map((r) => r.version) };
}
