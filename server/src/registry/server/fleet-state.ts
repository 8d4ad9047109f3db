import { createHash } from 'node:crypto';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { Gauge, type Registry } from 'prom-client';
import type {
  FleetMemberMessage,
  FollowRolloutResponseMessage,
  ReportStateRequestMessage,
  ShadowCountMessage,
  ShadowSampleMessage,
  ShadowTotalsMessage,
} from '../index.js';

type Stream = ServerWritableStream<unknown, FollowRolloutResponseMessage>;

/** What a follower last said about its shadow evaluation of one version. */
export interface ShadowState {
  readonly version: number;
  readonly totals: ShadowTotalsMessage;
  readonly changes: readonly ShadowCountMessage[];
  readonly samples: readonly ShadowSampleMessage[];
}

interface Member {
  readonly sidecarId: string;
  labels: Record<string, string>;
  activeVersion: number;
  shadowVersion: number;
  lastReport: string;
  staleness: number;
  lastSeen: Date;
  readonly streams: Set<Stream>;
  shadow: ShadowState | null;
}

/** Most followers one registry process keeps (a bound on memory; connected ones are never dropped). */
export const MAX_FLEET_MEMBERS = 10_000;

/** A stable 0..99 bucket of a sidecar for a version: the same sidecar gets the same answer on every call. */
export function percentBucket(sidecarId: string, version: number): number {
  return createHash('sha256').update(`${sidecarId}\u0000${version}`).digest().readUInt32BE(0) % 100;
}

/**
 * The followers known to this registry process: their labels, what they serve, their last ACK/NACK and
 * shadow counts, and their open FollowRollout streams (to which directives are pushed). In memory:
 * after a registry restart the fleet reconnects and reports again within one report interval.
 */
export class FleetState {
  private readonly members = new Map<string, Member>();
  private readonly gauge: Gauge<'version' | 'role'>;

  constructor(
    registry: Registry,
    private readonly now: () => Date,
    private readonly directiveFor: (sidecarId: string, labels: Readonly<Record<string, string>>) => Promise<FollowRolloutResponseMessage>,
  ) {
    this.gauge = new Gauge({
      name: 'tplus_registry_followers',
      help: 'Connected followers (FollowRollout streams), by the version they serve and their role label.',
      labelNames: ['version', 'role'],
      registers: [registry],
    });
  }

  /** Registers a follower's stream and sends its directive; resolves when the stream ends (rejects when the directive cannot be read). */
  attach(call: Stream): Promise<void> {
    const request = call.request as { sidecarId: string; labels: Record<string, string> };
    const member = this.member(request.sidecarId, request.labels);
    return new Promise<void>((resolve, reject) => {
      const leave = (): void => {
        if (member.streams.delete(call)) this.updateGauge();
      };
      const done = (): void => (leave(), resolve());
      member.streams.add(call);
      this.updateGauge();
      call.once('cancelled', done);
      call.once('close', done);
      call.once('finish', done);
      call.once('error', done);
      this.directiveFor(member.sidecarId, member.labels).then(
        (directive) => (call.cancelled || call.writableEnded ? undefined : call.write(directive)),
        (err: unknown) => (leave(), reject(err instanceof Error ? err : new Error(String(err)))),
      );
    });
  }

  /** Records a follower's report. */
  report(r: ReportStateRequestMessage): void {
    const m = this.member(r.sidecarId, r.labels);
    m.activeVersion = r.activeVersion;
    m.shadowVersion = r.shadowVersion;
    m.staleness = r.stalenessSeconds;
    if (r.version !== 0) m.lastReport = r.ack ? `ACK ${r.version} ${r.state}` : `NACK ${r.version} ${r.state}: ${r.reason}`;
    if (r.shadowVersion !== 0 && r.shadowTotals !== null)
      m.shadow = { version: r.shadowVersion, totals: r.shadowTotals, changes: r.shadowChanges, samples: r.shadowSamples };
    this.updateGauge();
  }

  /** Sends every connected follower its directive again (after the rollout changed). */
  async broadcast(): Promise<void> {
    for (const m of [...this.members.values()]) {
      if (m.streams.size === 0) continue;
      const directive = await this.directiveFor(m.sidecarId, m.labels);
      for (const s of m.streams) if (!s.cancelled && !s.writableEnded) s.write(directive);
    }
  }

  list(): FleetMemberMessage[] {
    return [...this.members.values()]
      .sort((a, b) => (a.sidecarId < b.sidecarId ? -1 : a.sidecarId > b.sidecarId ? 1 : 0))
      .map((m) => ({
        sidecarId: m.sidecarId,
        labels: { ...m.labels },
        activeVersion: m.activeVersion,
        shadowVersion: m.shadowVersion,
        lastReport: m.lastReport,
        stalenessSeconds: m.staleness,
        lastSeen: m.lastSeen.toISOString(),
        connected: m.streams.size > 0,
      }));
  }

  /** The latest shadow state of every follower for `version`. */
  shadowOf(version: number): ShadowState[] {
    const out: ShadowState[] = [];
    for (const m of this.members.values()) if (m.shadow?.version === version) out.push(m.shadow);
    return out;
  }

  /** Ends every stream (the registry is closing). */
  close(): void {
    for (const m of this.members.values()) for (const s of m.streams) s.end();
  }

  private member(sidecarId: string, labels: Record<string, string>): Member {
    let m = this.members.get(sidecarId);
    if (m === undefined) {
      if (this.members.size >= MAX_FLEET_MEMBERS) this.forgetOneDisconnected();
      m = {
        sidecarId,
        labels,
        activeVersion: 0,
        shadowVersion: 0,
        lastReport: '',
        staleness: 0,
        lastSeen: this.now(),
        streams: new Set(),
        shadow: null,
      };
      this.members.set(sidecarId, m);
    }
    m.labels = { ...labels };
    m.lastSeen = this.now();
    return m;
  }

  private forgetOneDisconnected(): void {
    for (const [id, m] of this.members) {
      if (m.streams.size === 0) {
        this.members.delete(id);
        return;
      }
    }
  }

  private updateGauge(): void {
    this.gauge.reset();
    for (const m of this.members.values()) {
      if (m.streams.size === 0) continue;
      this.gauge.inc({ version: String(m.activeVersion), role: m.labels['role'] ?? '' });
    }
  }
}
