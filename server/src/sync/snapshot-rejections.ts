import { Counter, type Registry } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './verify-snapshot.js';

/**
 * `tplus_snapshot_rejected_total{reason}`: every version refused, whether it arrived from a registry
 * or failed verification at rest (`local_corrupt`, `local_unsigned`). One per process registry, shared
 * by the follower and the start-up check of the local copy.
 */
export class SnapshotRejections {
  private readonly rejected: Counter<'reason'>;

  constructor(registry: Registry) {
    this.rejected = new Counter({
      name: 'tplus_snapshot_rejected_total',
      help: 'Ruleset versions refused (never served), by reason: from a registry, or found corrupt at rest.',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const r of REJECT_REASONS) this.rejected.inc({ reason: r }, 0);
  }

  inc(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
