import type { AuditEntry, VersionRecord } from '../index.js';

/** A new version and the audit record of its creation: a backend commits both together or neither. */
export interface NewVersion {
  readonly record: VersionRecord;
  readonly audit: AuditEntry;
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
  /**
   * Calls `listener` with each version committed after this call, by this process or (etcd) by any
   * other replica, in version order, each once. Returns a function that stops it.
   */
  onVersion(listener: (record: VersionRecord) => void): () => void;
  close(): Promise<void>;
}
