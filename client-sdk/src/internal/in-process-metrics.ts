import { Counter, Gauge, type Registry } from 'prom-client';
import { RULESET_REJECT_REASONS, type RulesetRejectReason } from './verify-ruleset.js';

/**
 * An in-process client's metrics, on the caller's Registry. Answers are counted in plain numbers and
 * handed to prom-client at scrape time, so a decision pays no metric cost on its path.
 */
export class InProcessMetrics {
  answers = 0;
  private readonly rejected: Counter<'reason'>;
  private readonly version: Gauge;

  constructor(registry: Registry, stalenessSeconds: () => number | null) {
    const registers = [registry];
    let reported = 0;
    const pending = (): number => {
      const n = this.answers - reported;
      reported = this.answers;
      return n;
    };
    new Counter({
      name: 'tplus_client_in_process_answers_total',
      help: 'Answers an in-process client decided from its synced ruleset (stale ones included).',
      registers,
      collect() {
        this.inc(pending());
      },
    });
    this.rejected = new Counter({
      name: 'tplus_client_ruleset_rejected_total',
      help: 'Versions from the sidecar an in-process client refused (never answered from), by reason.',
      labelNames: ['reason'],
      registers,
    });
    for (const r of RULESET_REJECT_REASONS) this.rejected.inc({ reason: r }, 0);
    this.version = new Gauge({ name: 'tplus_client_ruleset_version', help: 'The ruleset version an in-process client answers from (0 before the first sync).', registers });
    new Gauge({
      name: 'tplus_client_ruleset_staleness_seconds',
      help: 'Seconds since the sidecar last confirmed an in-process client holds its active version (absent before the first sync).',
      registers,
      collect() {
        const s = stalenessSeconds();
        if (s === null) this.reset();
        else this.set(s);
      },
    });
  }

  activated(version: number): void {
    this.version.set(version);
  }

  rejectedVersion(reason: RulesetRejectReason): void {
    this.rejected.inc({ reason });
  }
}
