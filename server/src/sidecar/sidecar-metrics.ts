import { status } from '@grpc/grpc-js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Rule } from '@tplus/core';

const DAY_MS = 86_400_000;
const DAY_SECONDS = 86_400;

export interface CalendarHorizonSource {
  readonly id: string;
  /** Last covered day number (days since 1970-01-01). */
  readonly to: number;
}

export interface SidecarMetricsOptions {
  /** The sidecar's own registry; nothing is registered on prom-client's global default. */
  readonly registry: Registry;
  /** "Now", for the calendar horizon computed at scrape time. */
  readonly now: () => Date;
  /** The active ruleset's calendars, read at scrape time. */
  readonly calendars: () => Iterable<CalendarHorizonSource>;
  /** Node process metrics (default true). */
  readonly processMetrics?: boolean;
}

/** gRPC status code → its name, as used in the `code` label. */
function codeName(code: number): string {
  return status[code] ?? String(code);
}

/**
 * The sidecar's Prometheus metrics (names fixed by the contract). Children are resolved once per
 * label set and cached, so a request costs one increment per label set and no label hashing.
 */
export class SidecarMetrics {
  private readonly requests: Counter<'method' | 'code'>;
  private readonly duration: Histogram<'method'>;
  private readonly decisionsTotal: Counter<'market' | 'asset_class' | 'cycle_days'>;
  private readonly errorsTotal: Counter<'reason'>;
  private readonly batchItemsHistogram: Histogram;
  private readonly rulesetVersion: Gauge;
  private readonly rulesetLoaded: Gauge;
  private readonly lastActivated: Gauge;
  private readonly servingOlder: Gauge;
  private readonly requestChildren = new Map<string, Counter.Internal[]>();
  private readonly durationChildren = new Map<string, Histogram.Internal<'method'>>();
  private readonly decisionChildren = new WeakMap<Rule, Counter.Internal>();
  private readonly errorChildren = new Map<string, Counter.Internal>();

  constructor(options: SidecarMetricsOptions) {
    const registers = [options.registry];
    this.requests = new Counter({
      name: 'tplus_requests_total',
      help: 'gRPC requests handled, by method and final status code.',
      labelNames: ['method', 'code'],
      registers,
    });
    this.duration = new Histogram({
      name: 'tplus_request_duration_seconds',
      help: 'Time from receiving a gRPC request to answering it (whole stream for streams).',
      labelNames: ['method'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.decisionsTotal = new Counter({
      name: 'tplus_decisions_total',
      help: "Settlement decisions made, by the deciding rule's market, asset class and cycle.",
      labelNames: ['market', 'asset_class', 'cycle_days'],
      registers,
    });
    this.errorsTotal = new Counter({
      name: 'tplus_decision_errors_total',
      help: 'Decisions refused (whole requests or batch items), by error code.',
      labelNames: ['reason'],
      registers,
    });
    this.batchItemsHistogram = new Histogram({
      name: 'tplus_batch_items',
      help: 'Items per batch request (row-wise and columnar).',
      buckets: [1, 10, 100, 1_000, 10_000, 100_000],
      registers,
    });
    this.rulesetVersion = new Gauge({ name: 'tplus_ruleset_version', help: 'Active ruleset version.', registers });
    this.rulesetLoaded = new Gauge({
      name: 'tplus_ruleset_loaded_timestamp_seconds',
      help: 'When the active ruleset was loaded into memory (Unix seconds).',
      registers,
    });
    this.lastActivated = new Gauge({
      name: 'tplus_ruleset_last_activated_version',
      help: 'The highest ruleset version this sidecar ever activated (kept in its local copy).',
      registers,
    });
    this.servingOlder = new Gauge({
      name: 'tplus_ruleset_serving_older_version',
      help: 'Is 1 while the sidecar serves an older version than the one it last activated (the newer one failed verification at rest); 0 when it serves the last one.',
      registers,
    });
    const { now, calendars } = options;
    new Gauge({
      // Seconds (the base unit promtool asks for), in whole days: from today (UTC) to the last covered date.
      name: 'tplus_calendar_horizon_seconds',
      help: 'Time from today (UTC) to the last date each active calendar covers, in seconds (whole days); decisions beyond it fail.',
      labelNames: ['calendar_id'],
      registers,
      collect() {
        this.reset();
        const today = Math.floor(now().getTime() / DAY_MS);
        for (const cal of calendars()) this.set({ calendar_id: cal.id }, (cal.to - today) * DAY_SECONDS);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: options.registry });
  }

  requestDone(method: string, code: number, seconds: number): void {
    let byCode = this.requestChildren.get(method);
    if (byCode === undefined) this.requestChildren.set(method, (byCode = []));
    let child = byCode[code];
    if (child === undefined) byCode[code] = child = this.requests.labels(method, codeName(code));
    child.inc();
    let timer = this.durationChildren.get(method);
    if (timer === undefined) this.durationChildren.set(method, (timer = this.duration.labels(method)));
    timer.observe(seconds);
  }

  decisions(rule: Rule, count: number): void {
    let child = this.decisionChildren.get(rule);
    if (child === undefined) {
      child = this.decisionsTotal.labels(rule.market, rule.assetClass, String(rule.cycleDays));
      this.decisionChildren.set(rule, child);
    }
    child.inc(count);
  }

  decisionErrors(reason: string, count: number): void {
    let child = this.errorChildren.get(reason);
    if (child === undefined) this.errorChildren.set(reason, (child = this.errorsTotal.labels(reason)));
    child.inc(count);
  }

  batchItems(count: number): void {
    this.batchItemsHistogram.observe(count);
  }

  /** Records the newly active ruleset, and whether it is older than the last one activated. */
  rulesetActivated(version: number, loadedAt: Date, lastActivatedVersion: number): void {
    this.rulesetVersion.set(version);
    this.rulesetLoaded.set(loadedAt.getTime() / 1000);
    this.lastActivated.set(lastActivatedVersion);
    this.servingOlder.set(version < lastActivatedVersion ? 1 : 0);
  }
}
