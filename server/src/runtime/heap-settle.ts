import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

/**
 * Gives back the memory start-up (and each ruleset activation) left in V8's young generation.
 *
 * Building a pack and its index creates many objects that live on, so V8 grows the young generation to its
 * maximum (32 MiB of semi-space on 64-bit) while the process starts. V8 shrinks it only inside a collection
 * that sees a low allocation rate since the collection before, and an idle sidecar allocates nothing, so no
 * collection runs: measured on main, a sidecar waiting for traffic kept 32 MiB of young generation (7 MiB
 * used) and 113 MiB RSS for as long as it idled. V8 judges the rate from its collections over the last 5 s,
 * so full collections a quiet interval (> 5 s) apart let it shrink the young generation at the second one
 * (measured: 111 → 80 MiB RSS). Each collection pauses the process (20–35 ms measured on a 2-core box),
 * so it runs only when the event loop was idle for the whole interval: with traffic flowing, the young
 * generation is in use anyway and V8 sizes it itself.
 */
export interface HeapSettler {
  /** Settles the heap after the next quiet interval (a later call starts the wait again). */
  schedule(): void;
  close(): void;
}

export interface HeapSettleOptions {
  readonly quietMs: number;
  /** Below this young-generation size there is nothing worth a full collection. */
  readonly floorBytes?: number;
  /** Told once the collections of one schedule() are done, with what they gave back (for the log). */
  readonly onSettled?: (result: SettleResult) => void;
}

export interface SettleResult {
  /** Young generation when the first collection started, and after the last one. */
  readonly youngBeforeBytes: number;
  readonly youngAfterBytes: number;
  readonly collections: number;
  /** The longest pause one collection caused. */
  readonly maxPauseMs: number;
}

const DEFAULT_FLOOR_BYTES = 8 * 1024 * 1024;
/** Event-loop utilization over the interval below which the process counts as quiet. */
const QUIET_UTILIZATION = 0.02;
/** Intervals to wait for quiet, and collections to run, per schedule() — bounded, then V8 is left alone. */
const MAX_WAITS = 12;
const MAX_COLLECTIONS = 3;

export function heapSettler(options: HeapSettleOptions): HeapSettler {
  const floor = options.floorBytes ?? DEFAULT_FLOOR_BYTES;
  let timer: NodeJS.Timeout | null = null;
  let waits = 0;
  let collections = 0;
  let youngBefore = 0;
  let maxPauseMs = 0;
  let since = performance.eventLoopUtilization();
  const arm = (): void => {
    since = performance.eventLoopUtilization();
    timer = setTimeout(tick, options.quietMs);
    timer.unref();
  };
  const tick = (): void => {
    timer = null;
    if (youngGenerationBytes() <= floor || waits >= MAX_WAITS) return;
    waits++;
    if (performance.eventLoopUtilization(since).utilization > QUIET_UTILIZATION) return arm();
    const gc = fullCollection();
    if (gc === null) return;
    if (collections === 0) youngBefore = youngGenerationBytes();
    const started = performance.now();
    gc();
    maxPauseMs = Math.max(maxPauseMs, performance.now() - started);
    collections++;
    const youngAfter = youngGenerationBytes();
    if (youngAfter > floor && collections < MAX_COLLECTIONS) return arm();
    options.onSettled?.({ youngBeforeBytes: youngBefore, youngAfterBytes: youngAfter, collections, maxPauseMs });
  };
  return {
    schedule() {
      if (timer !== null) clearTimeout(timer);
      waits = 0;
      collections = 0;
      maxPauseMs = 0;
      arm();
    },
    close() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

let collect: (() => void) | null | undefined;

/**
 * V8's `gc()`, which Node gives only to processes started with --expose-gc: the flag is switched on just long
 * enough to take the function from a fresh context, so the global scope of this program never has `gc`.
 */
function fullCollection(): (() => void) | null {
  if (collect !== undefined) return collect;
  setFlagsFromString('--expose-gc');
  try {
    const gc: unknown = runInNewContext('gc');
    collect = typeof gc === 'function' ? compacting(gc as () => unknown) : null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/**
 * A full collection that also compacts the old generation. V8 evacuates only the pages its heuristics pick,
 * so start-up garbage leaves old-space pages half empty until V8's own memory reducer runs, about a minute
 * later if at all (measured on the sidecar: 16.5 MiB of old space committed for 12.1 used, RSS 75 MiB, until
 * the reducer brought it to 12.5 and 70 MiB). Compacting in the settling collection gives that back at once
 * (measured: 71–72 MiB at heap_settled); the pause is longer (40–77 ms on a loaded 2-core box) and is taken
 * only when the process has been idle. V8 reads the flag at each collection, so it is on only for this one.
 */
function compacting(gc: () => unknown): () => void {
  return () => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}
