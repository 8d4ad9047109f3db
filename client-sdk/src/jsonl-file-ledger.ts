import type { LedgerEvent, TornTail, WatchableLedger } from './ledger-events.js';
import { LedgerWriter } from './internal/ledger-writer.js';
import { provisionalLine, resolvedLine } from './internal/ledger-line.js';
import { openLedgerFile } from './internal/open-ledger-file.js';
import { InMemoryLedger, type ProvisionalEntry, type Resolution } from './provisional-ledger.js';

export interface JsonlFileLedgerOptions {
  /** First retry after a failed write. Default 100 ms; doubles per consecutive failure. */
  readonly retryInitialMs?: number;
  /** Longest wait between retries. Default 5,000 ms. */
  readonly retryMaxMs?: number;
  /** A batch (one write + one fdatasync) stops growing past this many bytes. Default 4 MiB. */
  readonly maxBatchBytes?: number;
  /** Entries waiting for disk that raise a `backlog` event (and a client alert). Default 10,000. */
  readonly backlogThreshold?: number;
}

type Op = { readonly kind: 'record' | 'resolve'; readonly id: string };

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  return v;
}

/**
 * An append-only JSON Lines ledger: each fallback and each reconciliation is one line, never rewritten.
 * On open the file is replayed (a torn last line is cut off into `<path>.torn`, see `tornTail`).
 * `record` and `resolve` update memory at once and queue the line; a background writer appends queued
 * lines in batches and fdatasyncs them. A failed write keeps the lines queued and retries with backoff;
 * it never throws to the caller. `flush()` says when what was recorded is durable.
 */
export class JsonlFileLedger extends InMemoryLedger implements WatchableLedger {
  /** The torn last line cut off when this ledger was opened, or null. */
  readonly tornTail: TornTail | null;
  private readonly writer: LedgerWriter<Op>;
  private readonly listeners = new Set<(event: LedgerEvent) => void>();

  constructor(
    readonly path: string,
    options: JsonlFileLedgerOptions = {},
  ) {
    super();
    const opened = openLedgerFile(path);
    for (const line of opened.lines) {
      if (line.type === 'provisional') super.record(line.entry);
      else super.resolve(line.id, line.resolution);
    }
    this.tornTail = opened.torn;
    this.writer = new LedgerWriter<Op>(
      path,
      opened.size,
      (op) => this.serialize(op),
      (e) => this.emit(e),
      {
        retryInitialMs: positive('retryInitialMs', options.retryInitialMs, 100),
        retryMaxMs: positive('retryMaxMs', options.retryMaxMs, 5_000),
        maxBatchBytes: positive('maxBatchBytes', options.maxBatchBytes, 4 * 1024 * 1024),
        backlogThreshold: positive('backlogThreshold', options.backlogThreshold, 10_000),
      },
    );
  }

  override record(entry: ProvisionalEntry): void {
    if (this.entries.has(entry.id)) return;
    super.record(entry);
    this.writer.push({ kind: 'record', id: entry.id });
  }

  override resolve(id: string, resolution: Resolution): void {
    if (this.entries.get(id)?.status !== 'open') return;
    super.resolve(id, resolution);
    this.writer.push({ kind: 'resolve', id });
  }

  /** Entries (and resolutions) recorded in memory and not yet durable on disk. */
  get pending(): number {
    return this.writer.pending;
  }

  /** True from a failed write until the next successful one. */
  get failing(): boolean {
    return this.writer.failing;
  }

  /** Resolves once everything recorded before the call is fsynced; rejects with a LedgerError if a write fails. */
  override flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flushes and stops writing (and retrying). Rejects with a LedgerError if entries could not be written. */
  close(): Promise<void> {
    return this.writer.close();
  }

  /** Write failures, recoveries and backlog. Returns an unsubscribe function. */
  watch(listener: (event: LedgerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: LedgerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        process.emitWarning(`tplus ledger: a ${event.type} listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private serialize(op: Op): string {
    const entry = this.entries.get(op.id) as ProvisionalEntry;
    return op.kind === 'record' ? provisionalLine(entry) : resolvedLine(entry);
  }
}
