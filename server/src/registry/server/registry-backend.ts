import type { AuditEntry, VersionRecord } from '../index.js';
import type { PendingOutcome, PendingRecord } from './pending-store.js';

/** A pending version being approved: the backend closes it in the same transaction as the version. */
export interface PendingApproval {
  readonly id: number;
  readonly by: string;
  readonly at: string;
}

/**
 * A new version and the audit record of its creation: a backend commits both together or neither
 * (and, when `approves` is set, closes that pending version in the same transaction).
 */
export interface NewVersion {
  readonly record: VersionRecord;
  readonly audit: AuditEntry;
  readonly approves?: PendingApproval;
}

/** An audit row with its position in the trail (ListAudit pages by it). */
export interface AuditRowRecord extends AuditEntry {
  readonly id: number;
}

/**
 * Thrown by `append` when another writer (another registry replica over the same etcd) created the
 * next version first: `make` was built on a latest version that is no longer the latest.
 */
export class AppendRaceLost extends Error {
  override readonly name = 'AppendRaceLost';
  constructor(readonly winner: number) {
    super(`another registry replica created version ${winner} first`);
  }
}

/**
 * Where the registry keeps its versions and audit: the embedded SQLite file (one registry, the
 * default) or etcd (several equal replicas). Every method is async-capable (etcd is remote); the SQLite
 * backend answers synchronously underneath. Versions are append-only and numbered 1, 2, 3 ... with no gap.
 */
export interface RegistryBackend {
  /** What logs name: the database file, or `etcd:` and the endpoints. */
  readonly location: string;
  /** The highest version this process knows to exist (0 = none), without a round trip: heartbeats and metrics. */
  latestVersion(): number;
  latest(): Promise<VersionRecord | null>;
  get(version: number): Promise<VersionRecord | null>;
  /** Newest first. */
  list(): Promise<VersionRecord[]>;
  /**
   * Reads the latest version, lets `make` build the next one from it (or return null to create
   * nothing), and commits the version, its audit record and the new latest atomically. Resolves with
   * what was appended, or null; rejects with AppendRaceLost when another writer appended first.
   */
  append(make: (latest: VersionRecord | null) => NewVersion | null): Promise<VersionRecord | null>;
  /** One audit row (every call, allowed or not). */
  audit(entry: AuditEntry): Promise<void>;
  /** Oldest first. */
  auditRows(): Promise<AuditEntry[]>;
  /** Audit rows after position `afterId`, oldest first, at most `limit`. */
  auditPage(afterId: number, limit: number): Promise<AuditRowRecord[]>;
  /**
   * Four-eyes (pending-store.ts on SQLite, `pending/` in etcd): stores a pending version with the
   * audit row of the call that made it, together; `auditOf` gets the new id.
   */
  addPending(p: Omit<PendingRecord, 'id'>, auditOf: (id: number) => AuditEntry): Promise<PendingRecord>;
  /** Pending versions still waiting, oldest first. */
  openPending(): Promise<PendingRecord[]>;
  /** One pending version still waiting, or null. */
  getPending(id: number): Promise<PendingRecord | null>;
  /**
   * Closes a pending version outside a version's creation (rejected, expired, or approved as a version
   * that already holds its content) with its audit row, together; false when it was no longer pending.
   */
  closePending(id: number, outcome: PendingOutcome, by: string, at: string, audit: AuditEntry | null, version?: number): Promise<boolean>;
  /**
   * Calls `listener` with each version committed after this call, by this process or (etcd) by any
   * other replica, in version order, each once. Returns a function that stops it.
   */
  onVersion(listener: (record: VersionRecord) => void): () => void;
  close(): Promise<void>;
}
