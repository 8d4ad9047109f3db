import type { CoalesceOptions } from '../types.js';

/** The sidecar's default --max-batch-items: a bigger coalesced batch would be refused as BATCH_TOO_LARGE. */
export const MAX_COALESCE_ITEMS = 10_000;

export interface CoalesceConfig {
  readonly windowMs: number;
  readonly maxItems: number;
}

/**
 * Validates the `coalesce` option once, at client creation: a frozen config, or null for
 * `coalesce: false`. Throws a TypeError naming the option and the value it got.
 */
export function coalesceConfig(option: unknown, deadlineMs: number): CoalesceConfig | null {
  if (option === false) return null;
  if (option !== undefined && (typeof option !== 'object' || option === null)) {
    throw new TypeError(`coalesce must be false or an object { windowMs, maxItems }, got ${JSON.stringify(option) ?? typeof option}`);
  }
  const o = (option ?? {}) as CoalesceOptions;
  const windowMs = o.windowMs ?? 0;
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs < 0) {
    throw new TypeError(`coalesce.windowMs must be a finite number >= 0, got ${String(o.windowMs)}`);
  }
  if (windowMs >= deadlineMs) {
    throw new TypeError(
      `coalesce.windowMs (${windowMs}) must be less than deadlineMs (${deadlineMs}): the window counts against each call's deadline`,
    );
  }
  const maxItems = o.maxItems ?? 1_000;
  if (typeof maxItems !== 'number' || !Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_COALESCE_ITEMS) {
    throw new TypeError(`coalesce.maxItems must be an integer from 1 to ${MAX_COALESCE_ITEMS}, got ${String(o.maxItems)}`);
  }
  return Object.freeze({ windowMs, maxItems });
}
