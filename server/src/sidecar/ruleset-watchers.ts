import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { Ruleset } from '@tplus/core';
import { canonicalJson } from '@tplus/core';
import type { HeldRuleset, RulesetSnapshot } from '../store/index.js';
import type { GrpcFailure } from '../rpc/index.js';
import type { ActivatedRulesetMessage, RulesetEventMessage, WatchRulesetRequest } from './wire-types.js';

export interface SyncState {
  /** True when the sidecar follows a registry. */
  readonly following: boolean;
  /** Seconds since it last knew it held the registry's latest version (0 when not following). */
  readonly stalenessSeconds: number;
}

export interface RulesetWatchersOptions {
  readonly current: () => RulesetSnapshot;
  readonly heartbeatMs: number;
  /** A watcher whose unsent messages pass this many bytes is dropped (RESOURCE_EXHAUSTED). */
  readonly maxBufferedBytes: number;
  readonly now: () => Date;
  readonly sync: () => SyncState;
  /** Told when a client is dropped for not reading (the sidecar logs it). */
  readonly onDropped: (unsentBytes: number) => void;
}

type Watcher = ServerWritableStream<WatchRulesetRequest, RulesetEventMessage>;

interface Entry {
  readonly done: (failure: GrpcFailure | void) => void;
  /** Bytes written but not yet taken by HTTP/2 (the stream is in object mode: writableLength counts messages). */
  unsent: number;
}

/** Roughly what an event costs on the wire: the document dominates. */
const sizeOf = (e: RulesetEventMessage): number => (e.ruleset ? e.ruleset.document.length + e.ruleset.signature.length + 512 : 128);

/**
 * The open WatchRuleset streams of one sidecar: each gets the active version on connect (unless it
 * holds it already), every newly activated version, and heartbeats with the sidecar's staleness. The
 * canonical document of a version is encoded once and shared by every watcher.
 */
export class RulesetWatchers {
  private readonly watchers = new Map<Watcher, Entry>();
  private readonly documents = new WeakMap<Ruleset, Buffer>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: RulesetWatchersOptions) {
    this.timer = setInterval(() => this.heartbeat(), o.heartbeatMs);
    this.timer.unref();
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Serves one stream until the client cancels, the sidecar closes, or the client falls too far behind. */
  watch(call: Watcher): Promise<GrpcFailure | void> {
    return new Promise((resolve) => {
      const done = (failure: GrpcFailure | void): void => {
        if (!this.watchers.delete(call)) return;
        resolve(failure);
      };
      this.watchers.set(call, { done, unsent: 0 });
      for (const e of ['cancelled', 'close', 'error', 'finish'] as const) call.once(e, () => done());
      const active = this.o.current().active;
      const known = call.request;
      if (Number(known.knownVersion) !== active.ruleset.version || known.knownSha256 !== active.ruleset.hash) {
        this.send(call, { ruleset: this.message(active, this.o.current().loadedAt) });
      }
      this.send(call, this.heartbeatMessage());
    });
  }

  /** Pushes a newly activated version to every watcher. */
  activated(snapshot: RulesetSnapshot): void {
    if (this.watchers.size === 0) return;
    const event: RulesetEventMessage = { ruleset: this.message(snapshot.active, snapshot.loadedAt) };
    for (const w of this.watchers.keys()) this.send(w, event);
  }

  /** Ends every stream (OK) and stops the heartbeats. */
  close(): void {
    clearInterval(this.timer);
    for (const [w, entry] of this.watchers) {
      entry.done();
      if (!w.writableEnded) w.end();
    }
  }

  private message(held: HeldRuleset, activatedAt: string): ActivatedRulesetMessage {
    const r = held.ruleset;
    let document = this.documents.get(r);
    if (document === undefined) this.documents.set(r, (document = Buffer.from(canonicalJson(r.document), 'utf8')));
    const p = held.signed;
    return {
      rulesetVersion: r.version,
      sha256: r.hash,
      document,
      signature: p?.signature ?? Buffer.alloc(0),
      keyId: p?.keyId ?? '',
      source: held.source,
      activatedAt,
      parentVersion: p?.parentVersion ?? 0,
      author: p?.author ?? '',
      reason: p?.reason ?? '',
      publishedAt: held.publishedAt,
      rollbackOf: p?.rollbackOf ?? 0,
    };
  }

  private heartbeatMessage(): RulesetEventMessage {
    const sync = this.o.sync();
    return {
      heartbeat: {
        sentAt: this.o.now().toISOString(),
        intervalMs: this.o.heartbeatMs,
        activeVersion: this.o.current().active.ruleset.version,
        followingRegistry: sync.following,
        stalenessSeconds: sync.stalenessSeconds,
      },
    };
  }

  private heartbeat(): void {
    if (this.watchers.size === 0) return;
    const event = this.heartbeatMessage();
    for (const w of this.watchers.keys()) this.send(w, event);
  }

  private send(w: Watcher, event: RulesetEventMessage): void {
    const entry = this.watchers.get(w);
    if (entry === undefined || w.cancelled || w.destroyed || w.writableEnded) return;
    const size = sizeOf(event);
    if (entry.unsent + size > this.o.maxBufferedBytes) {
      const message = `this WatchRuleset stream has ${entry.unsent} bytes unsent (bound ${this.o.maxBufferedBytes}): the client is not reading; reconnect`;
      this.o.onDropped(entry.unsent);
      entry.done({
        code: status.RESOURCE_EXHAUSTED,
        reason: 'SLOW_CONSUMER',
        message,
        details: { unsent_bytes: String(entry.unsent) },
        expected: true,
      });
      return;
    }
    entry.unsent += size;
    w.write(event, () => {
      entry.unsent -= size;
    });
  }
}
