import type { SettlementClient, SettlementDetails, SettlementRequest } from '@tplus/client-sdk';
import type { DrillRun } from './drill-run.js';
import { LoadGenerator } from './load-generator.js';

/** One explicit batch (`getSettlementDates`) as trade capture saw it. */
export interface BatchRecord {
  /** Index of the sidecar it went to. */
  readonly sidecar: number;
  /** ms since load start. */
  readonly startedMs: number;
  readonly latencyMs: number;
  /** The ruleset version of each item answered by the service (fallbacks and errors are not in it). */
  readonly versions: readonly number[];
  readonly fallbacks: number;
  readonly errors: number;
}

export interface FleetLoadOptions {
  /** Single calls per second over the whole fleet (round robin: call `seq` goes to sidecar `seq % n`). */
  readonly rate: number;
  /** Hard bound on the load's length (single calls and batches). */
  readonly maxMs: number;
  /** One batch of `batchItems` to every sidecar each `batchEveryMs`. */
  readonly batchEveryMs: number;
  readonly batchItems: number;
  readonly trade: (seq: number) => SettlementRequest;
}

/**
 * Trade capture against a fleet: one SDK client per sidecar (RPC mode, coalescing on, scraped as
 * `trade-capture-<sidecar>`), single calls at a fixed rate in round robin (the drill's `run.load`), and
 * explicit batches to every sidecar, both bounded in count and time.
 */
export class FleetLoad {
  readonly batches: BatchRecord[] = [];
  readonly clients: readonly SettlementClient[];
  private batchTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private batchSeq = 0;

  constructor(
    private readonly run: DrillRun,
    addresses: readonly { readonly name: string; readonly address: string }[],
    private readonly options: FleetLoadOptions,
  ) {
    this.clients = addresses.map((a) => run.createClient(a.address, `trade-capture-${a.name}`));
  }

  /** The sidecar a single call `seq` went to. */
  sidecarOf(seq: number): number {
    return seq % this.clients.length;
  }

  /** Connects every client (one priming call each, not recorded), then starts singles and batches. */
  async start(): Promise<void> {
    const o = this.options;
    await Promise.all(this.clients.map((c) => c.getSettlementDateDetails(o.trade(0), { deadlineMs: 5_000 }).catch(() => undefined)));
    let next = 0;
    // LoadGenerator fires call seq, seq+1, ... in order, each synchronously: the n-th call here is call seq n.
    const roundRobin = {
      getSettlementDateDetails: (req: SettlementRequest): Promise<SettlementDetails> =>
        (this.clients[this.sidecarOf(next++)] as SettlementClient).getSettlementDateDetails(req),
    };
    const n = this.clients.length;
    const load = new LoadGenerator(roundRobin, this.run.timeline, {
      rate: o.rate,
      maxMs: o.maxMs,
      maxCalls: Math.ceil((o.rate * o.maxMs) / 1000),
      trade: (seq) => o.trade(seq),
    });
    this.run.client = this.clients[0] ?? null;
    this.run.load = load;
    this.run.onCleanup(() => this.stop());
    this.run.timeline.restart();
    this.run.recorder.start();
    load.start();
    const maxBatches = Math.ceil(o.maxMs / o.batchEveryMs) * n;
    this.batchTimer = setInterval(() => {
      if (this.run.timeline.now() > o.maxMs || this.batchSeq >= maxBatches) {
        if (this.batchTimer) clearInterval(this.batchTimer);
        return;
      }
      for (let i = 0; i < n; i++) this.batch(i);
    }, o.batchEveryMs);
    this.run.settings.progress(
      `load: ${o.rate} calls/s over ${n} sidecars, and a batch of ${o.batchItems} to each every ${o.batchEveryMs} ms`,
    );
  }

  /** Per sidecar name: how many answers (single calls and batch items) came from each ruleset version. */
  versionsSeen(names: readonly string[]): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = Object.fromEntries(names.map((n) => [n, {}]));
    const see = (sidecar: number, v: number): void => {
      const m = out[names[sidecar] ?? ''] ?? {};
      m[String(v)] = (m[String(v)] ?? 0) + 1;
    };
    for (const r of this.run.load?.records ?? []) if (r.outcome === 'service') see(this.sidecarOf(r.seq), r.details?.rulesetVersion ?? 0);
    for (const b of this.batches) for (const v of b.versions) see(b.sidecar, v);
    return out;
  }

  /** Stops singles and batches and waits for those in flight. */
  async stop(): Promise<void> {
    if (this.batchTimer) clearInterval(this.batchTimer);
    this.batchTimer = null;
    await this.run.load?.stop();
    await Promise.all([...this.inFlight]);
  }

  private batch(sidecar: number): void {
    const seq = this.batchSeq++;
    const startedMs = this.run.timeline.now();
    const requests = Array.from({ length: this.options.batchItems }, (_, k) => this.options.trade(seq * this.options.batchItems + k));
    const t = performance.now();
    const client = this.clients[sidecar] as SettlementClient;
    const done = client.getSettlementDates(requests, { deadlineMs: this.run.settings.deadlineMs }).then(
      (items) => {
        const versions: number[] = [];
        let fallbacks = 0;
        let errors = 0;
        for (const it of items) {
          if (!it.ok) errors++;
          else if (it.value.source === 'fallback') fallbacks++;
          else versions.push(it.value.rulesetVersion ?? 0);
        }
        this.batches.push({ sidecar, startedMs, latencyMs: performance.now() - t, versions, fallbacks, errors });
      },
      () => {
        this.batches.push({ sidecar, startedMs, latencyMs: performance.now() - t, versions: [], fallbacks: 0, errors: requests.length });
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }
}
