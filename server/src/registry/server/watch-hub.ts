import type { ServerWritableStream } from '@grpc/grpc-js';
import { RegistryError } from './registry-error.js';
import type { HeartbeatFields } from '@tplus/core';
import { snapshotMessage, type HeartbeatMessage, type WatchEventMessage } from '../index.js';
import type { VersionRecord } from '../index.js';

/**
 * Default bound on what one Watch stream may have written but not yet sent (the client is not
 * reading): 8 MiB, about twenty snapshots of the bundled pack (~390 KB each), so a follower that
 * is merely slow or catching up is never dropped, and one that stopped reading costs at most this.
 */
export const DEFAULT_WATCH_BUFFER_BYTES = 8 * 1024 * 1024;

/** Why a watcher was dropped (the label of tplus_registry_watch_dropped_total). */
export type WatchDropReason = 'slow_consumer';

/** Bytes a message costs on the wire beyond its document: version fields, signature, framing. */
const MESSAGE_OVERHEAD_BYTES = 512;

export interface WatchHubOptions {
  readonly heartbeatMs: number;
  readonly latestVersion: () => number;
  /** The latest version's sha256 ('' when there is none), signed into each heartbeat. */
  readonly latestSha256?: () => string;
  /**
   * Signs a heartbeat's fields (the registry's key); absent on a relay, which has no key: it passes on
   * its upstream's signed heartbeat instead (`upstreamHeartbeat`), or an unsigned one.
   */
  readonly signHeartbeat?: (f: HeartbeatFields) => { readonly signature: Buffer; readonly keyId: string };
  /** A relay: the last signed heartbeat it verified from its upstream, sent on when it holds that version. */
  readonly upstreamHeartbeat?: () => HeartbeatMessage | null;
  readonly now: () => Date;
  /** Called with the number of watchers whenever it changes. */
  readonly onCount: (count: number) => void;
  /** Most bytes written to one stream and not yet sent before it is dropped (default DEFAULT_WATCH_BUFFER_BYTES). */
  readonly maxBufferedBytes?: number;
  /** Called once per dropped watcher (for a metric and a log line). */
  readonly onDropped?: (reason: WatchDropReason, detail: { readonly peer: string; readonly bufferedBytes: number }) => void;
}

type Watcher = ServerWritableStream<unknown, WatchEventMessage>;

interface WatcherState {
  /** Estimated bytes written and not yet handed to the transport. */
  pending: number;
  readonly drop: (err: RegistryError) => void;
}

function sizeOf(event: WatchEventMessage): number {
  return MESSAGE_OVERHEAD_BYTES + (event.snapshot?.document.length ?? 0);
}

/** The open Watch streams: each new version is pushed to all of them; heartbeats keep silence detectable. */
export class WatchHub {
  private readonly watchers = new Map<Watcher, WatcherState>();
  private readonly timer: NodeJS.Timeout;
  private readonly maxBufferedBytes: number;
  private lastPublished: VersionRecord | null = null;

  constructor(private readonly options: WatchHubOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_WATCH_BUFFER_BYTES;
    this.timer = setInterval(() => this.heartbeat(), options.heartbeatMs);
    this.timer.unref();
  }

  /**
   * Registers a stream watching from `sinceVersion`: the latest snapshot first when the watcher is
   * behind, then every new version. Resolves when the stream ends (client cancel or hub close);
   * rejects with RESOURCE_EXHAUSTED when the client stopped reading and what is waiting to be sent to
   * it would pass the bound (it may reconnect and resume from its version).
   */
  watch(call: Watcher, sinceVersion: number, latestRead: VersionRecord | null): Promise<void> {
    // A version published while the store read `latestRead` (an async store) is newer than it.
    const latest = this.lastPublished !== null && this.lastPublished.version > (latestRead?.version ?? 0) ? this.lastPublished : latestRead;
    return new Promise<void>((resolve, reject) => {
      const leave = (): boolean => {
        const left = this.watchers.delete(call);
        if (left) this.options.onCount(this.watchers.size);
        return left;
      };
      const done = (): void => {
        leave();
        resolve();
      };
      const drop = (err: RegistryError): void => {
        if (leave()) reject(err);
      };
      this.watchers.set(call, { pending: 0, drop });
      this.options.onCount(this.watchers.size);
      call.once('cancelled', done);
      call.once('close', done);
      call.once('finish', done);
      call.once('error', done);
      if (latest !== null && sinceVersion < latest.version) this.send(call, { snapshot: snapshotMessage(latest) });
      this.send(call, this.heartbeatMessage());
    });
  }

  /** Pushes a newly committed version to every watcher. */
  publish(record: VersionRecord): void {
    this.lastPublished = record;
    const event: WatchEventMessage = { snapshot: snapshotMessage(record) };
    for (const w of [...this.watchers.keys()]) this.send(w, event);
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Ends every stream (OK status) and stops the heartbeats. */
  close(): void {
    clearInterval(this.timer);
    for (const w of this.watchers.keys()) w.end();
    this.watchers.clear();
    this.options.onCount(0);
  }

  private heartbeatMessage(): WatchEventMessage {
    const o = this.options;
    const fields = { latestVersion: o.latestVersion(), latestSha256: o.latestSha256?.() ?? '', sentAt: o.now().toISOString() };
    const upstream = o.upstreamHeartbeat?.() ?? null;
    if (upstream !== null && upstream.latestVersion === fields.latestVersion)
      return { heartbeat: { ...upstream, heartbeatIntervalMs: o.heartbeatMs } };
    const signed = o.signHeartbeat?.(fields) ?? { signature: Buffer.alloc(0), keyId: '' };
    return { heartbeat: { ...fields, heartbeatIntervalMs: o.heartbeatMs, ...signed } };
  }

  private heartbeat(): void {
    if (this.watchers.size === 0) return;
    const event = this.heartbeatMessage();
    for (const w of [...this.watchers.keys()]) this.send(w, event);
  }

  /**
   * Writes `event` unless that would leave more than the bound waiting for a client that does not
   * read (grpc-js buffers every write; only the write callback says the bytes left): then the watcher
   * is dropped with RESOURCE_EXHAUSTED instead, which the client sees once it reads what was sent.
   */
  private send(w: Watcher, event: WatchEventMessage): void {
    const state = this.watchers.get(w);
    if (state === undefined || w.cancelled || w.destroyed || w.writableEnded) return;
    const bytes = sizeOf(event);
    if (state.pending > 0 && state.pending + bytes > this.maxBufferedBytes) {
      const bufferedBytes = state.pending;
      state.drop(
        new RegistryError(
          'WATCH_TOO_SLOW',
          `this Watch stream was dropped: ${bufferedBytes} bytes were waiting for the client to read (at most ${this.maxBufferedBytes}); reconnect to resume`,
          {
            buffered_bytes: String(bufferedBytes),
            max_bytes: String(this.maxBufferedBytes),
          },
        ),
      );
      this.options.onDropped?.('slow_consumer', { peer: w.getPeer(), bufferedBytes });
      return;
    }
    state.pending += bytes;
    w.write(event, () => {
      state.pending -= bytes;
    });
  }
}
