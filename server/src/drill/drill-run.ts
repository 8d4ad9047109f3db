import { Registry } from 'prom-client';
import {
  createSettlementClient,
  type AlertEvent,
  type ReconcileSummary,
  type SettlementClient,
  type SettlementRequest,
} from '@tplus/client-sdk';
import { DrillTimeline } from './drill-timeline.js';
import { LoadGenerator } from './load-generator.js';
import { MetricRecorder, readUrl } from './metric-recorder.js';

/** What every drill is run with (validated by the command). */
export interface DrillSettings {
  /** How long the fault lasts (or, without a fault, how long the interesting phase of load runs). */
  readonly durationMs: number;
  /** Trade-capture calls per second. */
  readonly rate: number;
  /** The SDK's per-call deadline. */
  readonly deadlineMs: number;
  /** Allowed beyond the deadline before a call counts as blocked. */
  readonly marginMs: number;
  /** Healthy load before the fault. */
  readonly warmupMs: number;
  /** The temporary directory holding every process's files. */
  readonly dir: string;
  /** The bundled rule pack. */
  readonly rulesDir: string;
  /** Deliberately broken behaviour, for proving a drill can fail: `fallback-off`. */
  readonly sabotage: ReadonlySet<string>;
  /** The Prometheus alert rules the run's metrics are evaluated against; null = not evaluated. */
  readonly alertRules: string | null;
  /** The promtool binary that evaluates them; null = not found (the alert check then fails). */
  readonly promtool: string | null;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
}

/** The SDK breaker every drill uses: a short window so a drill of a few seconds shows a full cycle. */
export const DRILL_BREAKER = Object.freeze({
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 1_000,
  rollingCountTimeoutMs: 1_000,
});

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `test` every `stepMs` until it holds (true) or `timeoutMs` passes (false). */
export async function waitUntil(test: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await test()) return true;
    if (performance.now() > end) return false;
    await sleep(stepMs);
  }
}

/** One drill in progress: its timeline, the trade-capture client and load, and cleanup. */
export class DrillRun {
  readonly timeline = new DrillTimeline();
  readonly alerts: AlertEvent[] = [];
  /** What Prometheus would scrape during the run (sidecars, trade capture's SDK), from the start of load. */
  readonly recorder = new MetricRecorder();
  client: SettlementClient | null = null;
  load: LoadGenerator | null = null;
  reconciled: ReconcileSummary | null = null;
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private fallbackSeen = false;

  constructor(readonly settings: DrillSettings) {}

  onCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.reverse())
      await Promise.resolve()
        .then(fn)
        .catch(() => undefined);
    this.cleanups.length = 0;
  }

  /** Scrapes a sidecar's /metrics (job tplus-sidecar) for the alert rules; a dead or hung one scrapes as up 0. */
  scrape(sidecar: { readonly name: string; readonly metricsUrl: string | null }): void {
    this.recorder.add({ job: 'tplus-sidecar', instance: sidecar.name, read: (timeoutMs) => readUrl(sidecar.metricsUrl, timeoutMs) });
  }

  /** A trade-capture client: the SDK as trade capture configures it, wired to the timeline and scraped as job tplus-app. */
  createClient(address: string, instance = 'trade-capture'): SettlementClient {
    const s = this.settings;
    const registry = new Registry();
    this.recorder.add({ job: 'tplus-app', instance, read: () => registry.metrics() });
    const client = createSettlementClient({
      address,
      deadlineMs: s.deadlineMs,
      breaker: { ...DRILL_BREAKER },
      registry,
      ...(s.sabotage.has('fallback-off') ? { fallback: false as const } : {}),
      onAlert: (a) => {
        this.alerts.push(a);
        this.timeline.mark('alert', `${a.errorCode}: ${a.message}`);
      },
    });
    const mine = (m: string): boolean => m === 'GetSettlementDate';
    client.on('breakerOpen', (e) => mine(e.method) && this.timeline.mark('breaker_open'));
    client.on('breakerHalfOpen', (e) => mine(e.method) && this.timeline.mark('half_open'));
    client.on('breakerClose', (e) => {
      if (!mine(e.method)) return;
      this.timeline.mark('closed');
      this.fallbackSeen = false;
    });
    client.on('fallback', (e) => {
      if (this.fallbackSeen || !mine(e.method)) return;
      this.fallbackSeen = true;
      this.timeline.mark('first_fallback', e.errorCode);
    });
    this.onCleanup(() => client.close());
    return client;
  }

  /** Connects (one priming call, not recorded) and starts the load at the configured rate. */
  async startLoad(address: string, trade: (seq: number, atMs: number) => SettlementRequest, maxMs: number): Promise<LoadGenerator> {
    const client = (this.client = this.createClient(address));
    await client.getSettlementDateDetails(trade(0, 0), { deadlineMs: 5_000 }).catch(() => undefined);
    const load = (this.load = new LoadGenerator(client, this.timeline, {
      rate: this.settings.rate,
      maxMs,
      maxCalls: Math.ceil((this.settings.rate * maxMs) / 1000),
      trade,
    }));
    this.onCleanup(() => load.stop());
    this.timeline.restart();
    this.recorder.start();
    load.start();
    this.settings.progress(`load: ${this.settings.rate} calls/s against ${address}`);
    return load;
  }

  async stopLoad(): Promise<void> {
    await this.load?.stop();
  }

  /** reconcile() until nothing is left open (bounded), then marks `reconciled`. */
  async reconcile(timeoutMs = 10_000): Promise<ReconcileSummary | null> {
    const client = this.client;
    if (!client) return null;
    const total = { checked: 0, confirmed: 0, corrected: 0, rejected: 0, remaining: 0 };
    const end = performance.now() + timeoutMs;
    for (;;) {
      const r = await client.reconcile();
      total.checked += r.checked;
      total.confirmed += r.confirmed;
      total.corrected += r.corrected;
      total.rejected += r.rejected;
      total.remaining = r.remaining;
      if (r.remaining === 0 || performance.now() > end) break;
      await sleep(250);
    }
    this.reconciled = total;
    this.timeline.mark(
      'reconciled',
      `${total.confirmed} confirmed, ${total.corrected} corrected, ${total.rejected} rejected, ${total.remaining} open`,
    );
    return total;
  }

  /** Waits for the trade-capture breaker to be closed again after `afterMs` (bounded). */
  async breakerClosed(afterMs: number, timeoutMs = 15_000): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    const opened = this.timeline.events.some((e) => e.kind === 'breaker_open');
    return waitUntil(
      () => client.breakerState('GetSettlementDate') === 'closed' && (!opened || this.timeline.first('closed', afterMs) !== undefined),
      timeoutMs,
    );
  }
}
