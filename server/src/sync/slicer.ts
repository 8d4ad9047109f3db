import type { Yielder } from '@tplus/core';

/** How an install used the event loop: the number of synchronous stretches and the longest of them. */
export interface SliceStats {
  readonly slices: number;
  /** Wall-clock ms of the longest stretch (includes time the process was not scheduled). */
  readonly longestBlockMs: number;
  /** CPU ms (user + system, whole process) of the longest stretch: what it costs on an idle core. */
  readonly longestBlockCpuMs: number;
}

/**
 * Splits a long job into synchronous stretches that give the event loop back in between
 * (setImmediate), so answers keep flowing while it runs, and measures each stretch. `due()` tells
 * a loop that its stretch has run `budgetMs`; `pause()` ends the stretch. Measuring a stretch's CPU
 * time as well as its wall time keeps the figure honest on a loaded box, where the wall time of the
 * same work grows with every other process.
 */
export class Slicer implements Yielder {
  private slices = 0;
  private longestMs = 0;
  private longestCpuMs = 0;
  private startedAt = 0;
  private startedCpu: NodeJS.CpuUsage = { user: 0, system: 0 };

  constructor(private readonly budgetMs = 4) {
    this.begin();
  }

  due(): boolean {
    return performance.now() - this.startedAt >= this.budgetMs;
  }

  async pause(): Promise<void> {
    this.end();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.begin();
  }

  /** Ends the current stretch and returns the figures. */
  finish(): SliceStats {
    this.end();
    this.begin();
    return {
      slices: this.slices,
      longestBlockMs: Math.round(this.longestMs * 10) / 10,
      longestBlockCpuMs: Math.round(this.longestCpuMs * 10) / 10,
    };
  }

  private begin(): void {
    this.startedAt = performance.now();
    this.startedCpu = process.cpuUsage();
  }

  private end(): void {
    const cpu = process.cpuUsage(this.startedCpu);
    this.slices += 1;
    this.longestMs = Math.max(this.longestMs, performance.now() - this.startedAt);
    this.longestCpuMs = Math.max(this.longestCpuMs, (cpu.user + cpu.system) / 1000);
  }
}
