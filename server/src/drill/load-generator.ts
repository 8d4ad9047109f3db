import type { SettlementClient, SettlementDetails, SettlementRequest } from '@tplus/client-sdk';
import type { DrillTimeline } from './drill-timeline.js';

export type CallOutcome = 'service' | 'fallback' | 'error';

/** One trade-capture call as the load generator saw it. */
export interface CallRecord {
  readonly seq: number;
  /** ms since load start. */
  readonly startedMs: number;
  readonly latencyMs: number;
  readonly outcome: CallOutcome;
  readonly request: SettlementRequest;
  readonly details?: SettlementDetails;
  /** For an error: the SDK error code and message. */
  readonly error?: string;
}

export interface LoadOptions {
  /** Calls per second, started at a fixed rate whatever the answers take. */
  readonly rate: number;
  /** Hard bounds: never more calls than this, never longer than this. */
  readonly maxCalls: number;
  readonly maxMs: number;
  /** The trade of call `seq` (started `atMs` after load start). */
  readonly trade: (seq: number, atMs: number) => SettlementRequest;
}

/**
 * Plays trade capture: `rate` calls per second through the SDK, each awaited independently (a slow
 * answer never delays the next call), bounded in count and time. Records every call.
 */
export class LoadGenerator {
  readonly records: CallRecord[] = [];
  private issued = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: Pick<SettlementClient, 'getSettlementDateDetails'>,
    private readonly timeline: DrillTimeline,
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    this.startedAt = this.timeline.now();
    this.timer = setInterval(() => this.tick(), 5);
  }

  /** Stops issuing calls and waits for those in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.inFlight]);
  }

  get running(): boolean {
    return this.timer !== null;
  }

  private tick(): void {
    const elapsed = this.timeline.now() - this.startedAt;
    if (elapsed > this.options.maxMs) {
      void this.stop();
      return;
    }
    const due = Math.min(this.options.maxCalls, Math.floor((elapsed * this.options.rate) / 1000) + 1);
    while (this.issued < due) this.fire(this.issued++);
    if (this.issued >= this.options.maxCalls) void this.stop();
  }

  private fire(seq: number): void {
    const startedMs = this.timeline.now();
    const request = this.options.trade(seq, startedMs);
    const t = performance.now();
    const done = this.client.getSettlementDateDetails(request).then(
      (details) => {
        this.records.push({
          seq,
          startedMs,
          latencyMs: performance.now() - t,
          outcome: details.source === 'fallback' ? 'fallback' : 'service',
          request,
          details,
        });
      },
      (err: unknown) => {
        const code = typeof err === 'object' && err !== null && 'reason' in err ? String(err.reason) : 'UNKNOWN';
        this.records.push({
          seq,
          startedMs,
          latencyMs: performance.now() - t,
          outcome: 'error',
          request,
          error: `${code}: ${err instanceof Error ? err.message : String(err)}`,
        });
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }
}
