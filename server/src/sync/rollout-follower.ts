import type { KeyObject } from 'node:crypto';
import type { ChannelCredentials, Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import {
  authMetadata,
  clientCredentials,
  createRegistryClient,
  rolloutServiceDefinition,
  type ClientTlsConfig,
} from '../registry/index.js';
import type { FollowRolloutResponseMessage, ShadowCountMessage, ShadowSampleMessage, ShadowTotalsMessage } from '../registry/index.js';
import type { Logger } from '../runtime/index.js';
import type { Backoff } from './backoff.js';
import type { RolloutIdentity } from './rollout-identity.js';
import { SnapshotRejected, verifyAndBuildSliced, type VerifiedSnapshot } from './verify-snapshot.js';
import { Slicer } from './slicer.js';
import { registryAddresses } from './registry-addresses.js';

/** What the registry wants of this sidecar now, with the candidate already verified. */
export interface CandidateDirective {
  readonly liveVersion: number;
  /** Null when no candidate is open (or the last one was refused). */
  readonly candidate: VerifiedSnapshot | null;
  readonly activate: boolean;
  readonly expectChanges: readonly string[];
}

/** A sidecar's shadow counts, sent with each report. */
export interface ShadowReportPart {
  readonly version: number;
  readonly totals: ShadowTotalsMessage;
  readonly changes: ShadowCountMessage[];
  readonly samples: ShadowSampleMessage[];
}

export interface RolloutFollowerOptions {
  readonly address: string;
  readonly token: string | null;
  readonly tls?: ClientTlsConfig;
  /** The trusted registry keys (--registry-public-key, repeated while the key rotates). */
  readonly publicKeys: readonly KeyObject[];
  readonly source: string;
  readonly identity: RolloutIdentity;
  readonly log: Logger;
  readonly backoff: Backoff;
  /** Carries the directive out (hold as shadow, activate, or return to live); returns the ACK state, or null (nothing to ACK). */
  readonly apply: (d: CandidateDirective) => 'activated' | 'shadow' | null;
  readonly state: () => { activeVersion: number; shadowVersion: number; stalenessSeconds: number; shadow: ShadowReportPart | null };
}

/** NACK states: what a refused candidate's SnapshotRejected reason means to the fleet view. */
function nackState(err: unknown): { state: string; reason: string } {
  if (err instanceof SnapshotRejected) {
    const state =
      err.reason === 'bad_hash' || err.reason === 'bad_signature' || err.reason === 'missing_signature'
        ? err.reason
        : err.reason === 'store_failed'
          ? 'store_failed'
          : 'build_failure';
    return { state, reason: err.message };
  }
  return { state: 'build_failure', reason: err instanceof Error ? err.message : String(err) };
}

/**
 * Follows the registry's FollowRollout stream: verifies each candidate it is sent (the same checks as
 * a live version), has the sidecar hold it as shadow or activate it, and reports ACK or NACK with the
 * reason; reports state and shadow counts every `reportMs`. Reconnects with backoff. Never touches the
 * request path: all of it runs on registry events and a timer.
 */
export class RolloutFollower {
  private client: Client | null = null;
  private call: ClientReadableStream<FollowRolloutResponseMessage> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private verified: { key: string; value: VerifiedSnapshot } | null = null;
  /** Directives are carried out one at a time, in arrival order (verifying a candidate takes several turns of the event loop). */
  private queue: Promise<void> = Promise.resolve();
  /** The candidate last refused: its NACK is sent once, not again on every directive. */
  private refused = '';
  private readonly credentials: ChannelCredentials;
  /** Several registry replicas (`--registry a,b`): a failed stream moves to the next. */
  private readonly addresses: readonly string[];
  private current = 0;

  constructor(private readonly o: RolloutFollowerOptions) {
    this.credentials = clientCredentials(o.tls ?? null);
    this.addresses = registryAddresses(o.address);
    this.timer = setInterval(() => this.report(0, true, '', ''), o.identity.reportMs);
    this.timer.unref();
  }

  start(): void {
    this.connect();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    this.call?.cancel();
    this.client?.close();
  }

  private connect(): void {
    if (this.closed) return;
    const m = rolloutServiceDefinition()['FollowRollout'];
    if (!m) throw new Error('RolloutService has no FollowRollout method');
    const address = this.addresses[this.current] ?? this.o.address;
    this.client ??= createRegistryClient(address, this.credentials);
    const request = { sidecarId: this.o.identity.sidecarId, labels: this.o.identity.labels };
    const call = (this.call = this.client.makeServerStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      request,
      authMetadata(this.o.token),
      {},
    ) as ClientReadableStream<FollowRolloutResponseMessage>);
    const end = (err?: ServiceError): void => {
      if (call !== this.call || this.closed) return;
      this.call = null;
      const delay = this.o.backoff.next();
      this.o.log.warn('rollout_follow_failed', { registry: address, retryInMs: delay, ...(err ? { message: err.message } : {}) });
      if (this.addresses.length > 1) {
        this.client?.close();
        this.client = null;
        this.current = (this.current + 1) % this.addresses.length;
      }
      this.retry = setTimeout(() => this.connect(), delay);
    };
    call.on('data', (d: FollowRolloutResponseMessage) => {
      this.o.backoff.reset();
      this.queue = this.queue.then(() => this.onDirective(d));
    });
    call.on('error', end);
    call.on('end', () => end());
  }

  private async onDirective(d: FollowRolloutResponseMessage): Promise<void> {
    if (this.closed) return;
    const base = { liveVersion: d.liveVersion, activate: d.activate, expectChanges: d.expectChanges };
    if (d.candidate === null) {
      this.apply({ ...base, candidate: null, activate: false }, 0);
      return;
    }
    const s =
      this.o.identity.fault === 'corrupt'
        ? { ...d.candidate, document: Buffer.concat([d.candidate.document, Buffer.from(' ')]) }
        : d.candidate;
    let verified: VerifiedSnapshot;
    const key = `${s.version}:${s.sha256}`;
    try {
      if (this.verified?.key !== key) {
        // In short stretches, so the sidecar keeps answering while it verifies and builds the candidate.
        const slicer = new Slicer();
        const value = await verifyAndBuildSliced(s, this.o.publicKeys, this.o.source, slicer);
        await slicer.pause();
        this.verified = { key, value };
        this.o.log.info('candidate_verified', { version: s.version, sha256: s.sha256, ...slicer.finish() });
      }
      verified = this.verified.value;
      if (this.closed) return;
    } catch (err) {
      const nack = nackState(err);
      this.apply({ ...base, candidate: null, activate: false }, 0);
      if (this.refused === key) return;
      this.refused = key;
      this.o.log.error('candidate_rejected', {
        version: s.version,
        state: nack.state,
        message: nack.reason,
        keptVersion: this.o.state().activeVersion,
      });
      this.report(s.version, false, nack.state, nack.reason);
      return;
    }
    this.apply({ ...base, candidate: verified }, s.version);
  }

  private apply(d: CandidateDirective, version: number): void {
    let state: 'activated' | 'shadow' | null;
    try {
      state = this.o.apply(d);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.o.log.error('candidate_apply_failed', { version, message: reason });
      if (version !== 0) this.report(version, false, 'store_failed', reason);
      return;
    }
    if (version !== 0 && state !== null) this.report(version, true, state, '');
    else this.report(0, true, '', '');
  }

  /** One ReportState call; a failure is logged, never thrown (the next report carries the state again). */
  private report(version: number, ack: boolean, state: string, reason: string): void {
    const m = rolloutServiceDefinition()['ReportState'];
    const client = this.client;
    if (!m || !client || this.closed) return;
    const now = this.o.state();
    const request = {
      sidecarId: this.o.identity.sidecarId,
      labels: this.o.identity.labels,
      version,
      ack,
      state,
      reason,
      activeVersion: now.activeVersion,
      shadowVersion: now.shadowVersion,
      stalenessSeconds: now.stalenessSeconds,
      ...(now.shadow === null
        ? {}
        : { shadowTotals: now.shadow.totals, shadowChanges: now.shadow.changes, shadowSamples: now.shadow.samples }),
    };
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      request,
      authMetadata(this.o.token),
      { deadline: Date.now() + 10_000 },
      (err: ServiceError | null) => {
        if (err && !this.closed) this.o.log.warn('rollout_report_failed', { version, message: err.message });
      },
    );
  }
}
