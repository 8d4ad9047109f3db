import type { LedgerError } from './ledger-error.js';

/** Where a torn last line went when the ledger was opened. */
export interface TornTail {
  /** `<ledger path>.torn`: the bytes are appended there (never overwritten), then a newline. */
  readonly tornPath: string;
  /** 1-based line number the torn bytes started on. */
  readonly line: number;
  /** Byte offset the ledger file was truncated to. */
  readonly offset: number;
  readonly bytes: number;
}

/** What a file ledger reports about its writes. */
export type LedgerEvent =
  | {
      readonly type: 'writeFailed';
      readonly error: LedgerError;
      readonly pending: number;
      readonly consecutiveFailures: number;
      readonly at: number;
    }
  | { readonly type: 'writeRecovered'; readonly pending: number; readonly at: number }
  | { readonly type: 'backlog'; readonly pending: number; readonly at: number };

/** A ledger whose writes can fail and be watched (JsonlFileLedger). The client subscribes to alert on them. */
export interface WatchableLedger {
  /** Entries recorded in memory and not yet durable on disk. */
  readonly pending: number;
  watch(listener: (event: LedgerEvent) => void): () => void;
}

export function isWatchable(ledger: object): ledger is WatchableLedger {
  return typeof (ledger as Partial<WatchableLedger>).watch === 'function';
}
