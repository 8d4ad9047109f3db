import type { ServerWritableStream } from '@grpc/grpc-js';
import { snapshotMessage, type WatchEventMessage } from './registry-wire.js';
import type { VersionRecord } from './version-record.js';

export interface WatchHubOptions {
  readonly heartbeatMs: number;
  readonly latestVersion: () => number;
  readonly now: () => Date;
  /** Called with the number of watchers whenever it changes. */
  readonly onCount: (count: number) => void;
}

type Watcher = ServerWritableStream<unknown, WatchEventMessage>;

/** The open Watch streams: each new version is pushed to all of them; heartbeats keep silence detectable. */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: WatchHubOptions) {
    this.timer = setInterval(() => this.heartbeat(), options.heartbeatMs);
    this.timer.unref();
  }

  /**
   * Registers a stream watching from `sinceVersion`: the latest snapshot first when the watcher is
   * behind, then every new version. Resolves when the stream ends (client cancel or hub close).
   */
  watch(call: Watcher, sinceVersion: number, latest: VersionRecord | null): Promise<void> {
    this.watchers.add(call);
    this.options.onCount(this.watchers.size);
    if (latest !== null && sinceVersion < latest.version) call.write({ snapshot: snapshotMessage(latest) });
    this.send(call, this.heartbeatMessage());
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (this.watchers.delete(call)) this.options.onCount(this.watchers.size);
        resolve();
      };
      call.once('cancelled', done);
      call.once('close', done);
      call.once('error', done);
      call.once('finish', done);
    });
  }

  /** Pushes a newly committed version to every watcher. */
  publish(record: VersionRecord): void {
    const event: WatchEventMessage = { snapshot: snapshotMessage(record) };
    for (const w of this.watchers) this.send(w, event);
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Ends every stream (OK status) and stops the heartbeats. */
  close(): void {
    clearInterval(this.timer);
    for (const w of this.watchers) w.end();
    this.watchers.clear();
    this.options.onCount(0);
  }

  private heartbeatMessage(): WatchEventMessage {
    return {
      heartbeat: { latestVersion: this.options.latestVersion(), sentAt: this.options.now().toISOString(), heartbeatIntervalMs: this.options.heartbeatMs },
    };
  }

  private heartbeat(): void {
    if (this.watchers.size === 0) return;
    const event = this.heartbeatMessage();
    for (const w of this.watchers) this.send(w, event);
  }

  private send(w: Watcher, event: WatchEventMessage): void {
    if (w.cancelled || w.destroyed || w.writableEnded) return;
    w.write(event);
  }
}
