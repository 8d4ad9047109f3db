import type { DayNumber } from '@tplus/core';
import { compilePack } from '../pack/index.js';
import { BUNDLED_SOURCE, formatProblem } from '../pack/index.js';
import type { RulesetStore } from './ruleset-store.js';

/** The `source` recorded for versions compiled from the rule pack shipped with tplus. */
export { BUNDLED_SOURCE };

export type BundledSyncOutcome =
  | {
      readonly action: 'seeded' | 'updated';
      readonly version: number;
      readonly hash: string;
      /** Present when the pack declares a version this store already used: it got the next free one instead. */
      readonly declaredVersion?: number;
    }
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
 * upgrade), numbered as the pack declares (`pack: { version: N }`) when that number is free. A store following anything else is left alone. An invalid pack changes nothing.
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
  // The pack's declared version, so that the CLI and every sidecar name it alike; the next free number
  // only when this store already used it (a pack changed without a new version, or a downgrade).
  const highest = rows[0]?.version ?? 0;
  const version = pack.version !== null && pack.version > highest ? pack.version : highest + 1;
  store.add({ version, hash: pack.hash, source: BUNDLED_SOURCE, publishedAt: options.now, document: pack.document }, true);
  const taken = pack.version !== null && pack.version !== version ? { declaredVersion: pack.version } : {};
  return { action: rows.length === 0 ? 'seeded' : 'updated', version, hash: pack.hash, ...taken };
}
