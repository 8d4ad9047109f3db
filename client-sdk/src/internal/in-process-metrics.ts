import { CounterFamily, GaugeFamily, type MetricsRegistry } from './metric-family.js';
import { RULESET_REJECT_REASONS, type RulesetRejectReason } from './verify-ruleset.js';

/**
 * An in-process client's metrics, on the caller's Registry. Answers are counted in plain numbers and
 * handed to the registry at scrape time, so a decision pays no metric cost on its path.
 */
export class InProcessMetrics {
  answers = 0;
  private readonly rejected: CounterFamily;
  private readonly version: GaugeFamily;

  constructor(registry: MetricsRegistry, stalenessSeconds: () => number | null) {
    let reported = 0;
    const pending = (): number => {
      const n = this.answers - reported;
      reported = this.answers;
      return n;
    };
    new CounterFamily(
      'tplus_client_in_process_answers_total',
      'Answers an in-process client decided from its synced ruleset (stale ones included).',
      {
        labelled: false,
        collect: (c) => c.inc({}, pending()),
      },
    ).register(registry);
    this.rejected = new CounterFamily(
      'tplus_client_ruleset_rejected_total',
      'Versions from the sidecar an in-process client refused (never answered from), by reason.',
      { labelled: true },
    ).register(registry);
    for (const r of RULESET_REJECT_REASONS) this.rejected.inc({ reason: r }, 0);
    this.version = new GaugeFamily(
      'tplus_client_ruleset_version',
      'The ruleset version an in-process client answers from (0 before the first sync).',
      {
        labelled: false,
      },
    ).register(registry);
    new GaugeFamily(
      'tplus_client_ruleset_staleness_seconds',
      'Seconds since the sidecar last confirmed an in-process client holds its active version (absent before the first sync).',
      {
        labelled: false,
        collect: (g) => {
          const s = stalenessSeconds();
          if (s === null) g.reset();
          else g.set({}, s);
        },
      },
    ).register(registry);
  }

  activated(version: number): void {
    this.version.set({}, version);
  }

  rejectedVersion(reason: RulesetRejectReason): void {
    this.rejected.inc({ reason });
  }
}
