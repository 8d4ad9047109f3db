import type { KeyObject } from 'node:crypto';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { warmCalendarsLike } from '@tplus/core';
import type { RulesetEventMessage, SettlementStub } from './settlement-stub.js';
import { RulesetRejected, verifyRuleset, type SyncedRuleset } from './verify-ruleset.js';

export interface RulesetSyncListener {
  /** A verified version became the one answers come from. */
  activated(synced: SyncedRuleset, previousVersion: number): void;
  /** A version was refused; the last good one keeps answering. */
  rejected(error: RulesetRejected, version: number): void;
}

/** Silence tolerated before the first heartbeat tells the sidecar's interval. */
const INITIAL_SILENCE_MS = 5_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * Follows a sidecar's WatchRuleset stream: verifies each version, builds it once and swaps it in with
 * one assignment (a batch that read `current` once never mixes two versions). Reconnects with backoff
 * after any failure or a silence longer than three heartbeats; the last good version keeps answering.
 * `syncedAt` is the last time the sidecar confirmed this client holds its active version.
 */
export class RulesetSync {
  current: SyncedRuleset | null = null;
  syncedAt = 0;
  private call: ClientReadableStream<RulesetEventMessage> | null = null;
  private connected = false;
  private watchdog: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly stub: SettlementStub,
    private readonly trusted: readonly KeyObject[],
    private readonly listener: RulesetSyncListener,
  ) {}

  start(): void {
    this.connect();
  }

  /** True while the stream to the sidecar is up and heartbeats arrive. */
  get live(): boolean {
    return this.connected;
  }

  /** Resolves once a version is loaded (at once when one is); false after `timeoutMs`. */
  loaded(timeoutMs: number): Promise<boolean> {
    if (this.current !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(this.current !== null);
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  close(): void {
    this.closed = true;
    this.clearTimers();
    this.call?.cancel();
    this.call = null;
    for (const w of [...this.waiters]) w();
  }

  private connect(): void {
    if (this.closed) return;
    const held = this.current?.ruleset;
    const call = (this.call = this.stub.WatchRuleset({ knownVersion: held?.version ?? 0, knownSha256: held?.hash ?? '' }));
    const end = (): void => {
      if (call !== this.call) return;
      this.call = null;
      this.connected = false;
      this.clearTimers();
      if (this.closed) return;
      const ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.attempt++, 10));
      this.retry = setTimeout(() => this.connect(), Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
      this.retry.unref();
    };
    this.arm(INITIAL_SILENCE_MS, call);
    call.on('data', (event: RulesetEventMessage) => this.onEvent(event, call));
    call.on('error', end);
    call.on('end', end);
  }

  private onEvent(event: RulesetEventMessage, call: ClientReadableStream<RulesetEventMessage>): void {
    this.connected = true;
    this.attempt = 0;
    const m = event.ruleset;
    if (m) {
      const previous = this.current?.ruleset.version ?? 0;
      try {
        const next = verifyRuleset(m, this.trusted);
        // The calendars this client has used get their tables before the new version answers (core/warm-calendars.ts).
        if (this.current !== null) warmCalendarsLike(next.ruleset, this.current.ruleset);
        this.current = next;
        this.syncedAt = Date.now();
        this.listener.activated(this.current, previous);
        for (const w of [...this.waiters]) w();
      } catch (err) {
        if (!(err instanceof RulesetRejected)) throw err;
        this.listener.rejected(err, m.rulesetVersion);
      }
    }
    const hb = event.heartbeat;
    if (hb) {
      this.arm(Math.max(3 * hb.intervalMs, 100), call);
      const held = this.current?.ruleset;
      if (held !== undefined && held.version === hb.activeVersion) this.syncedAt = Date.now();
    }
  }

  private arm(ms: number, call: ClientReadableStream<RulesetEventMessage>): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      // Silence: the sidecar is gone or hung. Answers go on from the last version, marked stale.
      this.connected = false;
      if (call === this.call) call.cancel();
    }, ms);
    this.watchdog.unref();
  }

  private clearTimers(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.retry) clearTimeout(this.retry);
    this.watchdog = this.retry = null;
  }
}
