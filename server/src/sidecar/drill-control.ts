import { Gauge, type Registry } from 'prom-client';
import type { InjectedLatency } from './injected-latency.js';
import type { Logger } from '../runtime/index.js';

export const MAX_DRILL_LATENCY_MS = 30_000;
export const MAX_DRILL_DURATION_MS = 300_000;

export interface DrillStateView {
  readonly latencyActive: boolean;
  readonly latencyMs: number;
  readonly expiresAt: string;
}

/** A drill request out of bounds; the service answers INVALID_ARGUMENT. */
export class DrillRequestError extends Error {
  override readonly name = 'DrillRequestError';
}

/**
 * The sidecar's drill faults (only with --allow-drills). Each fault is bounded: it expires by itself,
 * is exported as tplus_drill_active{kind} and logged when it starts, expires or is cleared.
 */
export class DrillControl {
  /** Read on the request path: one boolean check while no drill runs. */
  readonly latency: InjectedLatency & { active: boolean; ms: number } = { active: false, ms: 0 };
  private expiresAt: Date | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly gauge: Gauge<'kind'>;

  constructor(
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {
    this.gauge = new Gauge({
      name: 'tplus_drill_active',
      help: 'Drill faults active right now (1), by kind. Only with --allow-drills.',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.gauge.set({ kind: 'latency' }, 0);
    log.warn('drills_allowed', { note: 'this sidecar accepts DrillService fault injection (--allow-drills)' });
  }

  injectLatency(latencyMs: number, durationMs: number): DrillStateView {
    if (!Number.isInteger(latencyMs) || latencyMs < 1 || latencyMs > MAX_DRILL_LATENCY_MS) {
      throw new DrillRequestError(`latency_ms ${latencyMs} must be from 1 to ${MAX_DRILL_LATENCY_MS}`);
    }
    if (!Number.isInteger(durationMs) || durationMs < 1 || durationMs > MAX_DRILL_DURATION_MS) {
      throw new DrillRequestError(`duration_ms ${durationMs} must be from 1 to ${MAX_DRILL_DURATION_MS}`);
    }
    this.stopTimer();
    this.latency.ms = latencyMs;
    this.latency.active = true;
    this.expiresAt = new Date(this.now().getTime() + durationMs);
    this.timer = setTimeout(() => this.end('drill_expired'), durationMs);
    this.timer.unref();
    this.gauge.set({ kind: 'latency' }, 1);
    this.log.warn('drill_started', { kind: 'latency', latencyMs, durationMs, expiresAt: this.expiresAt.toISOString() });
    return this.state();
  }

  clear(): DrillStateView {
    if (this.latency.active) this.end('drill_cleared');
    return this.state();
  }

  state(): DrillStateView {
    return {
      latencyActive: this.latency.active,
      latencyMs: this.latency.active ? this.latency.ms : 0,
      expiresAt: this.expiresAt?.toISOString() ?? '',
    };
  }

  /** Ends every drill (sidecar shutdown). */
  close(): void {
    this.stopTimer();
    this.latency.active = false;
  }

  private end(event: 'drill_expired' | 'drill_cleared'): void {
    this.stopTimer();
    this.latency.active = false;
    this.expiresAt = null;
    this.gauge.set({ kind: 'latency' }, 0);
    this.log.warn(event, { kind: 'latency' });
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
