/**
 * Records what Prometheus would have scraped during a drill: every `stepMs` it reads each target's
 * /metrics text (sidecars over HTTP, trade capture's SDK registry in-process), keeps the `tplus_*`
 * samples with `job` and `instance` labels, and writes `up` (1 read, 0 failed) like a scrape would.
 * The series are later evaluated against the real alert rules (alert-evaluation.ts).
 */

/** A scrape target: `read` resolves with the exposition text, or null when the target does not answer. */
export interface MetricTarget {
  readonly job: string;
  readonly instance: string;
  read(timeoutMs: number): Promise<string | null>;
}

/** One series: its selector (`name{job="…",instance="…",…}`) and one value per step (null = no sample). */
export interface RecordedSeries {
  readonly selector: string;
  readonly values: readonly (number | null)[];
}

/** The whole recording: `steps` samples taken every `stepMs` of wall time. */
export interface Recording {
  readonly stepMs: number;
  readonly steps: number;
  readonly series: readonly RecordedSeries[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;

/** `tplus_*` samples of an exposition text as selector → value, labelled with job and instance. */
export function parseExposition(text: string, job: string, instance: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('tplus_')) continue;
    const m = SAMPLE.exec(line.trim());
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels = m[2] ? `,${m[2]}` : '';
    out.set(`${m[1] as string}{job="${job}",instance="${instance}"${labels}}`, value);
  }
  return out;
}

/** Fetches a /metrics URL; null when it cannot be read within the timeout (a failed scrape). */
export async function readUrl(url: string | null, timeoutMs: number): Promise<string | null> {
  if (url === null) return null;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

export class MetricRecorder {
  private readonly targets: MetricTarget[] = [];
  private readonly samples = new Map<string, (number | null)[]>();
  private steps = 0;
  private running: Promise<void> | null = null;
  private stopped = false;

  /** `maxSteps` bounds the recording (and so the loop) in count; `stop()` or the cap ends it. */
  constructor(
    readonly stepMs = 250,
    readonly maxSteps = 4_000,
  ) {}

  add(target: MetricTarget): void {
    this.targets.push(target);
  }

  start(): void {
    if (this.running !== null) return;
    this.running = this.loop();
  }

  /** Stops sampling and returns the recording (every series padded to the same length). */
  async stop(): Promise<Recording> {
    this.stopped = true;
    await this.running;
    const series = [...this.samples].map(([selector, values]) => ({
      selector,
      values: [...values, ...Array<null>(this.steps - values.length).fill(null)],
    }));
    return { stepMs: this.stepMs, steps: this.steps, series };
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.steps < this.maxSteps) {
      const started = performance.now();
      await this.sampleOnce();
      const wait = this.stepMs - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async sampleOnce(): Promise<void> {
    const step = this.steps;
    const texts = await Promise.all(this.targets.map((t) => t.read(Math.max(50, this.stepMs - 50))));
    this.targets.forEach((t, i) => {
      const text = texts[i] ?? null;
      this.put(`up{job="${t.job}",instance="${t.instance}"}`, step, text === null ? 0 : 1);
      if (text !== null) for (const [selector, value] of parseExposition(text, t.job, t.instance)) this.put(selector, step, value);
    });
    this.steps = step + 1;
  }

  private put(selector: string, step: number, value: number): void {
    let values = this.samples.get(selector);
    if (!values) this.samples.set(selector, (values = []));
    while (values.length < step) values.push(null);
    values.push(value);
  }
}
