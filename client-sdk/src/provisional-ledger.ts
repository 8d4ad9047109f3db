import type { SettlementRequest } from './types.js';

export type EntryStatus = 'open' | 'confirmed' | 'corrected' | 'rejected';

/** A fallback answer and, once reconciled, what the service said. */
export interface ProvisionalEntry {
  readonly id: string;
  readonly request: SettlementRequest;
  readonly provisionalDate: string;
  /** RFC 3339 time the fallback answered. */
  readonly at: string;
  /** Why the service was not used, e.g. UNAVAILABLE or BREAKER_OPEN. */
  readonly reason: string;
  readonly status: EntryStatus;
  readonly serviceDate?: string;
  readonly errorCode?: string;
  readonly ruleId?: string;
  readonly rulesetVersion?: number;
  readonly reconciledAt?: string;
}

export interface Resolution {
  readonly status: Exclude<EntryStatus, 'open'>;
  readonly serviceDate?: string;
  readonly errorCode?: string;
  readonly ruleId?: string;
  readonly rulesetVersion?: number;
  readonly reconciledAt: string;
}

/**
 * Where provisional answers are kept until reconciled. Implementations must never lose a recorded
 * entry and must make `resolve` of an already resolved entry a no-op (reconcile may run twice).
 * `record` and `resolve` are synchronous and never throw for I/O: a ledger that writes to disk queues.
 */
export interface ProvisionalLedger {
  record(entry: ProvisionalEntry): void;
  resolve(id: string, resolution: Resolution): void;
  /** Resolves once everything recorded before the call is durable; rejects (LedgerError) if it cannot be. */
  flush(): Promise<void>;
  /** Entries not yet reconciled, oldest first. */
  open(): ProvisionalEntry[];
  /** Every entry, oldest first. */
  all(): ProvisionalEntry[];
}

/** The default ledger: in process memory, lost on exit. Use the JSON Lines ledger to keep it. */
export class InMemoryLedger implements ProvisionalLedger {
  protected readonly entries = new Map<string, ProvisionalEntry>();

  record(entry: ProvisionalEntry): void {
    if (!this.entries.has(entry.id)) this.entries.set(entry.id, entry);
  }

  resolve(id: string, resolution: Resolution): void {
    const entry = this.entries.get(id);
    if (!entry || entry.status !== 'open') return;
    this.entries.set(id, { ...entry, ...resolution });
  }

  open(): ProvisionalEntry[] {
    return [...this.entries.values()].filter((e) => e.status === 'open');
  }

  all(): ProvisionalEntry[] {
    return [...this.entries.values()];
  }

  /** Nothing to write: resolves at once. */
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
