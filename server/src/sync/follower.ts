import type { KeyObject } from 'node:crypto';
import { status, type ChannelCredentials, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { clientCredentials, type ClientTlsConfig } from '../registry/index.js';
import { authMetadata, createRegistryClient, registryServiceDefinition } from '../registry/index.js';
import type { HeartbeatMessage, SnapshotMessage, WatchEventMessage } from '../registry/index.js';
import { keysFor, verifyHeartbeat, type Ruleset, type Yielder } from '@tplus/core';
import type { Logger } from '../runtime/index.js';
import type { Backoff } from './backoff.js';
import type { ReplicationMetrics, SyncFailureReason } from './replication-metrics.js';
import { SnapshotRejected, verifyAndBuildSliced, type VerifiedSnapshot } from './verify-snapshot.js';
import { registryAddresses } from './registry-addresses.js';
import { Slicer } from './slicer.js';

export interface FollowerOptions {
  /** `host:port` or `unix:/path`, or several comma-separated (replicas): on a failure the next one is tried. */
  readonly address: string;
  readonly token: string | null;
  /** TLS to the registry; absent = plaintext. Its PEM files are read once, by the constructor (throws naming the flag). */
  readonly tls?: ClientTlsConfig;
  /** The trusted registry keys: a version or heartbeat is checked with the one whose key id it carries. */
  readonly publicKeys: readonly KeyObject[];
  /** Called with each heartbeat whose signature verified (a relay passes it on to its own followers). */
  readonly onSignedHeartbeat?: (heartbeat: HeartbeatMessage) => void;
  /** Recorded as the stored versions' source, e.g. `registry:127.0.0.1:50061`. */
  readonly source: string;
  /** The version this sidecar holds as active (0 = none). */
  readonly localVersion: () => number;
  /** Stores the verified version and swaps it in (throws when it cannot); `ruleset` is already built. */
  readonly install: (verified: VerifiedSnapshot) => void;
  /** Work on a verified ruleset before it is installed, in stretches (e.g. warming the calendars in use). */
  readonly prepare?: (ruleset: Ruleset, yielder: Yielder) => Promise<void>;
  /**
   * Older versions to fetch again with GetVersion (they were found corrupt at rest), each stored with
   * `hold` (kept, not activated) once verified. Tried whenever the registry answers, until all are back.
   */
  readonly refetch?: { readonly versions: readonly number[]; readonly hold: (verified: VerifiedSnapshot) => void };
  /**
   * Install every version, in order, with no gap (a relay): when a snapshot is more than one ahead,
   * the missing versions are fetched with GetVersion and verified first. Default false (a sidecar
   * only needs the latest).
   */
  readonly contiguous?: boolean;
  /** Deadline of each GetVersion call filling a gap (default 30 s). */
  readonly fetchTimeoutMs?: number;
  readonly log: Logger;
  readonly metrics: ReplicationMetrics;
  readonly now: () => Date;
  readonly backoff: Backoff;
  /** Silence tolerated before the first heartbeat tells the interval. */
  readonly initialSilenceMs?: number;
}

function failureReason(err: ServiceError): SyncFailureReason {
  if (err.code === status.UNAVAILABLE) return 'unavailable';
  if (err.code === status.UNAUTHENTICATED) return 'unauthenticated';
  if (err.code === status.PERMISSION_DENIED) return 'permission_denied';
  if (err.code === status.DATA_LOSS) return 'data_loss';
  return 'stream_error';
}

/**
 * Follows a registry's Watch stream: verifies each snapshot, installs it (store, then atomic swap),
 * and reconnects with backoff after any failure or a silence longer than three heartbeats.
 * Rejected snapshots are counted and logged; the last good version keeps serving.
 */
export class Follower {
  private client: Client | null = null;
  private call: ClientReadableStream<WatchEventMessage> | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private warnedAhead = 0;
  private warnedUnsigned = false;
  private resolveFirst: () => void = () => undefined;
  /** Snapshots are applied one at a time, in arrival order (verification and a gap fill are asynchronous). */
  private queue: Promise<void> = Promise.resolve();
  private readonly toRefetch: Set<number>;
  private refetching = false;
  /** Resolves once a version has been installed (or the follower is closed). */
  readonly firstInstall = new Promise<void>((resolve) => (this.resolveFirst = resolve));

  private readonly credentials: ChannelCredentials;
  private readonly addresses: readonly string[];
  private current = 0;

  constructor(private readonly o: FollowerOptions) {
    this.credentials = clientCredentials(o.tls ?? null);
    this.addresses = registryAddresses(o.address);
    this.toRefetch = new Set(o.refetch?.versions ?? []);
  }

  start(): void {
    this.connect();
  }

  /**
   * Seconds since this follower last knew, from signed information, that it held the registry's latest
   * version: an installed snapshot, or a heartbeat signed by a trusted key whose version it holds
   * (counted from the heartbeat's signed send time, so a replayed old heartbeat proves nothing new).
   */
  stalenessSeconds(): number {
    return this.o.metrics.stalenessSeconds();
  }

  close(): void {
    this.closed = true;
    this.clearTimers();
    this.call?.cancel();
    this.call = null;
    this.client?.close();
    this.client = null;
    this.resolveFirst();
  }

  private connect(): void {
    if (this.closed) return;
    const m = registryServiceDefinition()['Watch'];
    if (!m) throw new Error('RegistryService has no Watch method');
    this.client ??= createRegistryClient(this.address, this.credentials);
    const since = this.o.localVersion();
    const call = (this.call = this.client.makeServerStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      { sinceVersion: since },
      authMetadata(this.o.token),
      {},
    ) as ClientReadableStream<WatchEventMessage>);
    let failed: SyncFailureReason | null = null;
    const end = (reason: SyncFailureReason, err?: unknown): void => {
      if (call !== this.call) return;
      this.call = null;
      this.clearTimers();
      if (this.closed) return;
      this.o.metrics.failure(failed ?? reason);
      const delay = this.o.backoff.next();
      this.o.log.warn('registry_watch_failed', {
        reason: failed ?? reason,
        registry: this.address,
        retryInMs: delay,
        ...(err instanceof Error ? { message: err.message } : {}),
      });
      this.failOver();
      this.retry = setTimeout(() => this.connect(), delay);
    };
    this.arm(this.o.initialSilenceMs ?? 15_000, () => {
      failed = 'heartbeat_timeout';
      call.cancel();
    });
    call.on('data', (event: WatchEventMessage) =>
      this.onEvent(event, () => {
        failed = 'heartbeat_timeout';
        call.cancel();
      }),
    );
    call.on('error', (err: ServiceError) => end(failureReason(err), err));
    call.on('end', () => end('stream_ended'));
  }

  /** The replica this follower talks to now. */
  get address(): string {
    return this.addresses[this.current] ?? this.o.address;
  }

  /** With several replicas, the next connection goes to the next one (resuming from the local version). */
  private failOver(): void {
    if (this.addresses.length < 2) return;
    const from = this.address;
    this.client?.close();
    this.client = null;
    this.current = (this.current + 1) % this.addresses.length;
    this.o.log.info('registry_failover', { from, to: this.address, localVersion: this.o.localVersion() });
  }

  private onEvent(event: WatchEventMessage, onSilence: () => void): void {
    if (event.heartbeat) {
      this.o.backoff.reset();
      this.arm(Math.max(3 * event.heartbeat.heartbeatIntervalMs, 100), onSilence);
      if (this.toRefetch.size > 0 && !this.refetching) void this.refetchHeld();
      const signedAt = this.signedHeartbeatTime(event.heartbeat);
      if (event.heartbeat.latestVersion <= this.o.localVersion()) {
        if (signedAt !== null) this.o.metrics.synced(signedAt);
      } else if (event.heartbeat.latestVersion !== this.warnedAhead) {
        this.warnedAhead = event.heartbeat.latestVersion;
        this.o.log.warn('registry_ahead', { latestVersion: event.heartbeat.latestVersion, localVersion: this.o.localVersion() });
      }
    }
    const snapshot = event.snapshot;
    if (!snapshot) return;
    if (!this.o.contiguous) {
      this.queue = this.queue.then(async () => void (await this.onSnapshot(snapshot)));
      return;
    }
    const call = this.call;
    this.queue = this.queue.then(async () => {
      if (this.closed || snapshot.version <= this.o.localVersion()) return;
      try {
        for (let v = this.o.localVersion() + 1; v < snapshot.version && !this.closed; v++) {
          if (!(await this.onSnapshot(await this.fetchVersion(v))) && !this.closed) throw new Error(`version ${v} was rejected`);
        }
      } catch (err) {
        // Without the gap filled the newer version cannot be appended: reconnect and try again.
        this.o.log.warn('gap_fill_failed', {
          upTo: snapshot.version,
          localVersion: this.o.localVersion(),
          message: err instanceof Error ? err.message : String(err),
        });
        if (call === this.call) call?.cancel();
        return;
      }
      if (!this.closed) await this.onSnapshot(snapshot);
    });
  }

  private fetchVersion(version: number): Promise<SnapshotMessage> {
    const m = registryServiceDefinition()['GetVersion'];
    const client = this.client;
    if (!m || !client) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + (this.o.fetchTimeoutMs ?? 30_000);
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        { version },
        authMetadata(this.o.token),
        { deadline },
        (err: ServiceError | null, value?: unknown) => (err ? reject(err) : resolve(value as SnapshotMessage)),
      );
    });
  }

  /** Fetches, verifies and holds the versions found corrupt at rest; those at or above the active one are the Watch stream's job. */
  private async refetchHeld(): Promise<void> {
    this.refetching = true;
    try {
      for (const v of [...this.toRefetch].sort((a, b) => b - a)) {
        if (this.closed) return;
        if (v >= this.o.localVersion()) {
          this.toRefetch.delete(v);
          continue;
        }
        try {
          const fetched = await this.fetchVersion(v);
          const verified = await verifyAndBuildSliced(fetched, this.o.publicKeys, this.o.source, new Slicer());
          if (verified.entry.version !== v)
            throw new SnapshotRejected('bad_signature', `asked for version ${v}, the registry sent ${verified.entry.version}`);
          this.o.refetch?.hold(verified);
          this.toRefetch.delete(v);
          this.o.log.info('version_refetched', { version: v, sha256: verified.entry.hash });
        } catch (err) {
          if (err instanceof SnapshotRejected) this.o.metrics.snapshotRejected(err.reason);
          this.o.log.warn('version_refetch_failed', { version: v, message: err instanceof Error ? err.message : String(err) });
          return; // tried again on the next heartbeat
        }
      }
    } finally {
      this.refetching = false;
    }
  }

  /**
   * Verifies and installs one snapshot; true when it is (or already was) installed. Verification runs
   * in short stretches (answers keep flowing meanwhile); storing and the swap are one stretch, so
   * answers come from the old version until the one assignment that makes the new one current.
   */
  private async onSnapshot(s: SnapshotMessage): Promise<boolean> {
    const local = this.o.localVersion();
    if (s.version <= local) return true;
    const started = performance.now();
    const slicer = new Slicer();
    try {
      const verified = await verifyAndBuildSliced(s, this.o.publicKeys, this.o.source, slicer);
      await slicer.pause();
      if (this.o.prepare) {
        await this.o.prepare(verified.ruleset, slicer);
        await slicer.pause();
      }
      if (this.closed) return false;
      // Another path (a rollout directive) may have installed this version or a newer one meanwhile.
      if (s.version <= this.o.localVersion()) return true;
      try {
        this.o.install(verified);
      } catch (err) {
        throw new SnapshotRejected(
          'store_failed',
          `version ${s.version} could not be stored: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      this.o.metrics.synced(this.o.now());
      this.o.log.info('snapshot_installed', {
        version: s.version,
        sha256: s.sha256,
        previous: local,
        tookMs: Math.round(performance.now() - started),
        ...slicer.finish(),
      });
      this.resolveFirst();
      return true;
    } catch (err) {
      // Whatever went wrong, this snapshot is not served and the follower keeps running.
      const rejected =
        err instanceof SnapshotRejected ? err : new SnapshotRejected('invalid_document', err instanceof Error ? err.message : String(err));
      this.o.metrics.snapshotRejected(rejected.reason);
      this.o.log.error('snapshot_rejected', { version: s.version, reason: rejected.reason, message: rejected.message, keptVersion: local });
      return false;
    }
  }

  /** When a heartbeat was sent, if a trusted key signed it (never later than now); null for an unsigned or forged one. */
  private signedHeartbeatTime(h: HeartbeatMessage): Date | null {
    const keys = keysFor(this.o.publicKeys, h.keyId);
    const sentAt = Date.parse(h.sentAt);
    if (h.signature.length === 0 || Number.isNaN(sentAt) || !keys.some((k) => verifyHeartbeat(h, h.signature, k))) {
      if (!this.warnedUnsigned) {
        this.warnedUnsigned = true;
        this.o.log.warn('heartbeat_unsigned', {
          registry: this.o.address,
          keyId: h.keyId,
          note: 'heartbeats without a valid signature do not count as freshness: staleness grows until a signed one or a new version arrives',
        });
      }
      return null;
    }
    this.warnedUnsigned = false;
    this.o.onSignedHeartbeat?.(h);
    return new Date(Math.min(sentAt, this.o.now().getTime()));
  }

  private arm(ms: number, onSilence: () => void): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(onSilence, ms);
  }

  private clearTimers(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.retry) clearTimeout(this.retry);
    this.watchdog = this.retry = null;
  }
}
