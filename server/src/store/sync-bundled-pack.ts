import type { DayNumber } from '@tplus/core';
import { compilePack } from '../pack/index.js';
import { formatProblem } from '../pack/index.js';
import type { RulesetStore } from './ruleset-store.js';

/** The `source` recorded for versions compiled from the rule pack shipped with tplus. */
export const BUNDLED_SOURCE = 'bundled';

export type BundledSyncOutcome =
  | { readonly action: 'seeded' | 'updated'; readonly version: number; readonly hash: string }
  | { readonly action: 'unchanged' | 'not-bundled'; readonly version: number }
  | { readonly action: 'pack-invalid'; readonly problems: readonly string[] };

export interface BundledSyncOptions {
  readonly rulesDir: string;
  readonly today: DayNumber;
  /** RFC 3339 UTC, recorded as published_at. */
  readonly now: string;
}

/**
 * The embedded default: an empty store is seeded from the bundled rule pack; a store whose active
 * version came from the bundled pack gains a new version when the pack has changed (e.g. after an
 * upgrade). A store following anything else is left alone. An invalid pack changes nothing.
 */
export function syncBundledPack(store: RulesetStore, options: BundledSyncOptions): BundledSyncOutcome {
  const rows = store.rows();
  const activeVersion = store.activeVersion();
  const active = rows.find((r) => r.version === activeVersion) ?? rows[0] ?? null;
  if (active !== null && active.source !== BUNDLED_SOURCE) return { action: 'not-bundled', version: active.version };
  const pack = compilePack(options.rulesDir, { today: options.today });
  if (pack.document === null || pack.hash === null) {
    return { action: 'pack-invalid', problems: pack.problems.filter((p) => p.severity === 'error').map(formatProblem) };
  }
  if (active !== null && active.hash === pack.hash) {
    if (activeVersion !== active.version) store.activate(active.version);
    return { action: 'unchanged', version: active.version };
  }
  const version = (rows[0]?.version ?? 0) + 1;
  store.add({ version, hash: pack.hash, source: BUNDLED_SOURCE, publishedAt: options.now, document: pack.document }, true);
  return { action: rows.length === 0 ? 'seeded' : 'updated', version, hash: pack.hash };
}
