/**
 * The few Prometheus metric kinds the SDK exports, written against prom-client's Registry contract
 * (`registerMetric` takes any object with name, help, type, aggregator, get() and reset(); the
 * Registry renders what get() returns). So the SDK never imports prom-client: it is an optional peer
 * dependency, needed only by apps that pass a `registry`. The exposition matches prom-client 15's own
 * Counter, Gauge and Histogram (one line per label set in first-use order, `le` first on buckets).
 */

/**
 * What the SDK needs of a metrics registry: a prom-client (15) `Registry` is one. The parameter is
 * typed `never` so that prom-client's own signature (which names its Metric classes) fits without the
 * SDK's types importing prom-client; the SDK passes objects of the shape MetricFamily describes.
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
}

export interface MetricSample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

export interface MetricFamilySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: MetricSample[];
}

/** One metric as a prom-client Registry sees it. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricFamilySnapshot['type'];
  readonly aggregator: 'sum';
  get(): Promise<MetricFamilySnapshot>;
  reset(): void;
}

type Labels = Readonly<Record<string, string>>;

interface Series<V> {
  readonly labels: Labels;
  value: V;
}

abstract class Family<V> implements MetricFamily {
  readonly aggregator = 'sum' as const;
  protected series = new Map<string, Series<V>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricFamilySnapshot['type'],
    private readonly collect?: (family: Family<V>) => void,
  ) {}

  protected abstract initial(): V;
  protected abstract samples(series: Series<V>): MetricSample[];

  protected at(labels: Labels): Series<V> {
    const key = Object.values(labels).join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = { labels, value: this.initial() }));
    return s;
  }

  get(): Promise<MetricFamilySnapshot> {
    this.collect?.(this);
    const values = [...this.series.values()].flatMap((s) => this.samples(s));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Forgets every label set; a metric without labels reads 0 again (as prom-client's do). */
  reset(): void {
    this.series = new Map();
  }

  register(registry: MetricsRegistry): this {
    (registry.registerMetric as (this: MetricsRegistry, metric: MetricFamily) => void).call(registry, this);
    return this;
  }
}

/** A counter or gauge: one number per label set. Without labels it always has its one line. */
class Scalar extends Family<number> {
  constructor(
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    private readonly unlabelled: boolean,
    collect?: (f: Scalar) => void,
  ) {
    super(name, help, type, collect as ((f: Family<number>) => void) | undefined);
    if (unlabelled) this.at({});
  }

  protected initial(): number {
    return 0;
  }

  protected samples(s: Series<number>): MetricSample[] {
    return [{ value: s.value, labels: s.labels }];
  }

  override reset(): void {
    super.reset();
    if (this.unlabelled) this.at({});
  }
}

export class CounterFamily extends Scalar {
  constructor(name: string, help: string, options: { labelled: boolean; collect?: (c: CounterFamily) => void }) {
    super(name, help, 'counter', !options.labelled, options.collect as ((f: Scalar) => void) | undefined);
  }

  inc(labels: Labels = {}, by = 1): void {
    this.at(labels).value += by;
  }
}

export class GaugeFamily extends Scalar {
  constructor(name: string, help: string, options: { labelled: boolean; collect?: (g: GaugeFamily) => void }) {
    super(name, help, 'gauge', !options.labelled, options.collect as ((f: Scalar) => void) | undefined);
  }

  set(labels: Labels, value: number): void {
    this.at(labels).value = value;
  }
}

interface HistogramValue {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A histogram with fixed upper bounds; cumulative `_bucket` lines, then `+Inf`, `_sum` and `_count`. */
export class HistogramFamily extends Family<HistogramValue> {
  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, 'histogram');
  }

  protected initial(): HistogramValue {
    return { counts: this.bounds.map(() => 0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    const v = this.at(labels).value;
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) (v.counts[i] as number)++;
    v.sum += value;
    v.count++;
  }

  protected samples(s: Series<HistogramValue>): MetricSample[] {
    const bucket = `${this.name}_bucket`;
    let acc = 0;
    const out: MetricSample[] = this.bounds.map((le, i) => {
      acc += s.value.counts[i] as number;
      return { value: acc, labels: { le, ...s.labels }, metricName: bucket };
    });
    out.push(
      { value: s.value.count, labels: { le: '+Inf', ...s.labels }, metricName: bucket },
      { value: s.value.sum, labels: s.labels, metricName: `${this.name}_sum` },
      { value: s.value.count, labels: s.labels, metricName: `${this.name}_count` },
    );
    return out;
  }
}
