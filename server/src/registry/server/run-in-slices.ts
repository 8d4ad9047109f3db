import { CallCancelled, type CallScope } from './call-scope.js';

/** Longest stretch, in milliseconds, that a sliced computation keeps the event loop before yielding. */
export const SLICE_MS = 10;

/** Gives the event loop one turn (timers, I/O, other calls) before going on. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Drives a generator that yields a running count of work done, giving the event loop back every
 * `sliceMs` so other calls, heartbeats and deadline timers run in between; stops with CallCancelled as
 * soon as the scope is aborted. `onProgress` gets the work done in each slice (for a metric).
 */
export async function runInSlices<T>(
  steps: Generator<number, T, void>,
  scope: CallScope,
  onProgress: (done: number) => void = () => undefined,
  sliceMs = SLICE_MS,
): Promise<T> {
  let reported = 0;
  let last = 0;
  try {
    for (;;) {
      const started = performance.now();
      let next = steps.next();
      while (next.done !== true && performance.now() - started < sliceMs) next = steps.next();
      if (next.done === true) return next.value;
      last = next.value;
      onProgress(last - reported);
      reported = last;
      await yieldToEventLoop();
      if (scope.signal.aborted) throw new CallCancelled();
    }
  } finally {
    steps.return(undefined as never);
  }
}
