import type { Logger } from '../../runtime/index.js';

/** Where a publish can be held: just before its version commits, or after the commit and before the reply. */
export type PublishPhase = 'before-commit' | 'after-commit';

/**
 * A test and drill hook (`--drill-publish-pause-ms`, off by default): logs `publish_paused` with the
 * phase, then blocks the process for `ms`, so a kill -9 sent on that log line deterministically lands
 * in that phase. The sleep is synchronous (Atomics.wait on a private SharedArrayBuffer) because the
 * registry's write path is synchronous: nothing else runs meanwhile, which is what a hook that pins
 * the moment of a crash needs, and why it must never be on in production.
 */
export function publishPause(ms: number, log: Logger): (phase: PublishPhase) => void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return (phase) => {
    log.warn('publish_paused', { phase, ms });
    Atomics.wait(cell, 0, 0, ms);
  };
}
