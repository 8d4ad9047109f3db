/** The timeline event kinds every report shows (scenarios add their own, e.g. `converged`). */
export const CORE_EVENTS = [
  'fault_injected',
  'first_fallback',
  'breaker_open',
  'alert',
  'heal',
  'half_open',
  'closed',
  'reconciled',
] as const;

export interface TimelineEvent {
  /** Milliseconds since the drill's load started. */
  readonly atMs: number;
  readonly kind: string;
  readonly detail?: string;
}

/** What happened when, relative to the start of load (monotonic clock). */
export class DrillTimeline {
  readonly events: TimelineEvent[] = [];
  private t0 = performance.now();

  /** Makes now the origin (the start of load); events already marked move before it. */
  restart(): void {
    const shift = performance.now() - this.t0;
    this.t0 += shift;
    this.events.splice(0, this.events.length, ...this.events.map((e) => ({ ...e, atMs: Math.round(e.atMs - shift) })));
  }

  now(): number {
    return performance.now() - this.t0;
  }

  mark(kind: string, detail?: string): TimelineEvent {
    const event: TimelineEvent = { atMs: Math.round(this.now()), kind, ...(detail === undefined ? {} : { detail }) };
    this.events.push(event);
    return event;
  }

  first(kind: string, afterMs = Number.NEGATIVE_INFINITY): TimelineEvent | undefined {
    return this.events.find((e) => e.kind === kind && e.atMs >= afterMs);
  }

  count(kind: string): number {
    return this.events.filter((e) => e.kind === kind).length;
  }
}
