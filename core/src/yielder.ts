/**
 * How a long check gives the event loop back: `due()` says the current synchronous stretch has run
 * long enough, `pause()` resolves once other work has had its turn. The core does no I/O and keeps no
 * timers; the caller supplies this (the sidecar: server/src/sync/slicer.ts).
 */
export interface Yielder {
  due(): boolean;
  pause(): Promise<void>;
}
