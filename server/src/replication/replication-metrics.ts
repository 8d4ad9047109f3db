import { Counter, Gauge, type Registry } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './verify-snapshot.js';

export const SYNC_FAILURE_REASONS = ['unavailable', 'unauthenticated', 'permission_denied', 'heartbeat_timeout', 'stream_ended', 'stream_error'] as const;
export type SyncFailureReason = (typeof SYNC_FAILURE_REASONS)[number];

/** The follower's metrics, on the sidecar's registry. Label values are bounded enums. */
export class ReplicationMetrics {
  private readonly lastSuccess: Gauge;
  private readonly failures: Counter<'reason'>;
  private readonly rejected: Counter<'reason'>;
  private lastSuccessMs: number | null = null;

  constructor(registry: Registry, now: () => Date, startedAt: Date) {
    const registers = [registry];
    this.lastSuccess = new Gauge({
      name: 'tplus_sync_last_success_timestamp_seconds',
      help: 'When the sidecar last knew it held the registry\'s latest version (Unix seconds).',
      registers,
    });
    this.failures = new Counter({ name: 'tplus_sync_failures_total', help: 'Watch stream failures, by reason.', labelNames: ['reason'], registers });
    this.rejected = new Counter({ name: 'tplus_snapshot_rejected_total', help: 'Snapshots refused (never served), by reason.', labelNames: ['reason'], registers });
    for (const r of SYNC_FAILURE_REASONS) this.failures.inc({ reason: r }, 0);
    for (const r of REJECT_REASONS) this.rejected.inc({ reason: r }, 0);
    const since = (): number => this.lastSuccessMs ?? startedAt.getTime();
    new Gauge({
      name: 'tplus_ruleset_staleness_seconds',
      help: 'Seconds since the sidecar last knew it held the registry\'s latest version (since start when never).',
      registers,
      collect() {
        this.set(Math.max(0, (now().getTime() - since()) / 1000));
      },
    });
  }

  synced(at: Date): void {
    this.lastSuccessMs = at.getTime();
    this.lastSuccess.set(at.getTime() / 1000);
  }

  failure(reason: SyncFailureReason): void {
    this.failures.inc({ reason });
  }

  snapshotRejected(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
