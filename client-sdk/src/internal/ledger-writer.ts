import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerError } from '../ledger-error.js';
import type { LedgerEvent } from '../ledger-events.js';

export interface LedgerWriterOptions {
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly maxBatchBytes: number;
  readonly backlogThreshold: number;
}

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (e: LedgerError) => void;
}

/**
 * Group commit for an append-only file: queued lines are written in batches off the caller's call and
 * made durable with fdatasync. A failed batch stays queued and is retried with backoff; the file is cut
 * back to its last durable size first, so a half-written batch is never duplicated or glued to.
 * Lines are produced by `serialize` at write time, so a queued entry costs the caller no JSON work.
 */
export class LedgerWriter<Op> {
  private queue: Op[] = [];
  private head = 0;
  private accepted = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private handle: FileHandle | null = null;
  private running = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private backlogged = false;
  private closed = false;
  private dirSynced = false;

  constructor(
    private readonly path: string,
    private committedSize: number,
    private readonly serialize: (op: Op) => string,
    private readonly emit: (event: LedgerEvent) => void,
    private readonly options: LedgerWriterOptions,
  ) {}

  get pending(): number {
    return this.accepted - this.durable;
  }

  get failing(): boolean {
    return this.failures > 0;
  }

  push(op: Op): void {
    this.queue.push(op);
    this.accepted++;
    if (!this.backlogged && this.pending >= this.options.backlogThreshold) {
      this.backlogged = true;
      this.emit({ type: 'backlog', pending: this.pending, at: Date.now() });
    }
    if (!this.running && this.retryTimer === null && !this.closed) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Resolves when every op pushed so far is durable; rejects at the next failed write. */
  flush(): Promise<void> {
    if (this.durable >= this.accepted) return Promise.resolve();
    if (this.closed) return Promise.reject(this.error('LEDGER_CLOSED', 'the ledger is closed', null));
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ target: this.accepted, resolve, reject }));
    this.retryNow();
    return done;
  }

  /** Flushes, then stops: later records stay in memory only. Rejects if the last flush failed. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.rejectWaiters(this.error('LEDGER_CLOSED', 'the ledger was closed before these entries were written', null));
    }
  }

  private retryNow(): void {
    if (this.retryTimer === null || this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.running = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.head < this.queue.length && !this.closed) await this.writeBatch();
      await this.release();
    } catch (e) {
      await this.release();
      this.failed(e);
    } finally {
      this.running = false;
    }
    if (this.head < this.queue.length && this.retryTimer === null && !this.closed) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  private async writeBatch(): Promise<void> {
    const parts: string[] = [];
    let bytes = 0;
    let end = this.head;
    while (end < this.queue.length && (parts.length === 0 || bytes < this.options.maxBatchBytes)) {
      const line = this.serialize(this.queue[end] as Op);
      parts.push(line);
      bytes += line.length;
      end++;
    }
    const buf = Buffer.from(parts.join(''), 'utf8');
    const h = await this.fileHandle();
    for (let off = 0; off < buf.length; ) off += (await h.write(buf, off, buf.length - off)).bytesWritten;
    await h.datasync();
    this.committedSize += buf.length;
    this.durable += end - this.head;
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.backlogged && this.pending < this.options.backlogThreshold / 2) this.backlogged = false;
    // Idle: let go of the file before telling anyone, so a file replaced meanwhile is opened afresh.
    if (this.head >= this.queue.length) await this.release();
    if (this.failures > 0) {
      this.failures = 0;
      this.emit({ type: 'writeRecovered', pending: this.pending, at: Date.now() });
    }
    this.waiters = this.waiters.filter((w) => (w.target <= this.durable ? (w.resolve(), false) : true));
  }

  private async fileHandle(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    const h = await open(this.path, 'a');
    this.handle = h;
    // A write that failed half-way left bytes past the last durable size: cut them before appending.
    const { size } = await h.stat();
    if (size > this.committedSize) {
      await h.truncate(this.committedSize);
      await h.datasync();
    }
    if (!this.dirSynced) await this.syncDirectory();
    return h;
  }

  /** Makes a newly created file's directory entry durable too (best effort: not every platform can). */
  private async syncDirectory(): Promise<void> {
    this.dirSynced = true;
    const d = await open(dirname(this.path), 'r').catch(() => null);
    await d?.sync().catch(() => undefined);
    await d?.close().catch(() => undefined);
  }

  private async release(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.close().catch(() => undefined);
  }

  private failed(cause: unknown): void {
    this.failures++;
    const detail = cause instanceof Error ? cause.message : String(cause);
    const error = this.error('LEDGER_WRITE_FAILED', `cannot write the ledger ${this.path}: ${detail}`, cause);
    this.emit({ type: 'writeFailed', error, pending: this.pending, consecutiveFailures: this.failures, at: Date.now() });
    this.rejectWaiters(error);
    if (this.closed) return;
    const delay = Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** Math.min(this.failures - 1, 20));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.running = true;
      void this.drain();
    }, delay);
    // A failing disk must not keep the process alive forever: flush() or close() before exit.
    this.retryTimer.unref();
  }

  private rejectWaiters(error: LedgerError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }

  private error(code: 'LEDGER_WRITE_FAILED' | 'LEDGER_CLOSED', message: string, cause: unknown): LedgerError {
    return new LedgerError(code, message, this.pending, cause === null ? {} : { cause });
  }
}
