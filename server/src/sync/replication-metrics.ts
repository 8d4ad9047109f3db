import { Counter, Gauge, type Registry } from 'prom-client';
import { SnapshotRejections } from './snapshot-rejections.js';
import type { RejectReason } from './verify-snapshot.js';

export const SYNC_FAILURE_REASONS = [
  'unavailable',
  'unauthenticated',
  'permission_denied',
  'data_loss',
  'heartbeat_timeout',
  'stream_ended',
  'stream_error',
] as const;
export type SyncFailureReason = (typeof SYNC_FAILURE_REASONS)[number];

/** The follower's metrics, on the sidecar's registry. Label values are bounded enums. */
export class ReplicationMetrics {
  private readonly lastSuccess: Gauge;
  private readonly failures: Counter<'reason'>;
  private lastSuccessMs: number | null = null;
  /** Seconds since the sidecar last knew it held the registry's latest version (since start when never). */
  readonly stalenessSeconds: () => number;

  constructor(
    registry: Registry,
    now: () => Date,
    startedAt: Date,
    private readonly rejections: SnapshotRejections = new SnapshotRejections(registry),
  ) {
    const registers = [registry];
    this.lastSuccess = new Gauge({
      name: 'tplus_sync_last_success_timestamp_seconds',
      help: "When the sidecar last knew it held the registry's latest version (Unix seconds).",
      registers,
    });
    this.failures = new Counter({
      name: 'tplus_sync_failures_total',
      help: 'Watch stream failures, by reason.',
      labelNames: ['reason'],
      registers,
    });
    for (const r of SYNC_FAILURE_REASONS) this.failures.inc({ reason: r }, 0);
    const since = (): number => this.lastSuccessMs ?? startedAt.getTime();
    this.stalenessSeconds = () => Math.max(0, (now().getTime() - since()) / 1000);
    new Gauge({
      name: 'tplus_ruleset_staleness_seconds',
      help: "Seconds since the sidecar last knew it held the registry's latest version (since start when never).",
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
    this.rejections.inc(reason);
  }
}
