import { LedgerError } from '../ledger-error.js';
import type { LedgerEvent } from '../ledger-events.js';
import { AppendFile } from './append-file.js';

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
 * made durable with fdatasync. A failed batch stays queued and is retried with backoff (AppendFile cuts
 * the file back to its last durable size first, so a half-written batch is never duplicated).
 * Lines are produced by `serialize` at write time, so a queued entry costs the caller no JSON work.
 */
export class LedgerWriter<Op> {
  private queue: Op[] = [];
  private head = 0;
  private accepted = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private readonly file: AppendFile;
  private running = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private backlogged = false;
  private closed = false;

  constructor(
    private readonly path: string,
    durableSize: number,
    private readonly serialize: (op: Op) => string,
    private readonly emit: (event: LedgerEvent) => void,
    private readonly options: LedgerWriterOptions,
  ) {
    this.file = new AppendFile(path, durableSize);
  }

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
      await this.file.release();
    } catch (e) {
      await this.file.release();
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
    await this.file.appendDurably(Buffer.from(parts.join(''), 'utf8'));
    this.durable += end - this.head;
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.backlogged && this.pending < this.options.backlogThreshold / 2) this.backlogged = false;
    // Idle: let go of the file before telling anyone, so a file replaced meanwhile is opened afresh.
    if (this.head >= this.queue.length) await this.file.release();
    if (this.failures > 0) {
      this.failures = 0;
      this.emit({ type: 'writeRecovered', pending: this.pending, at: Date.now() });
    }
    this.waiters = this.waiters.filter((w) => (w.target <= this.durable ? (w.resolve(), false) : true));
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
