import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';

/** A publish or rollback waiting for a second person's approval (table `pending_versions`, schema v2). */
export interface PendingRecord {
  readonly id: number;
  readonly sha256: string;
  readonly author: string;
  readonly reason: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly rollbackOf: number;
  readonly baseVersion: number;
  readonly document: Buffer;
}

export type PendingOutcome = 'approved' | 'rejected' | 'expired';

interface PendingRow {
  id: number;
  sha256: string;
  author: string;
  reason: string;
  created_at: string;
  expires_at: string;
  rollback_of: number;
  base_version: number;
  document: Buffer;
}

const COLUMNS = 'id, sha256, author, reason, created_at, expires_at, rollback_of, base_version, document';

const toRecord = (r: PendingRow): PendingRecord => ({
  id: r.id,
  sha256: r.sha256,
  author: r.author,
  reason: r.reason,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  rollbackOf: r.rollback_of,
  baseVersion: r.base_version,
  document: r.document,
});

/**
 * Pending versions, on the registry database's own connection so that approving one (state change,
 * version, audit row) is one transaction. Rows are never deleted: each changes state once.
 */
export class PendingStore {
  private readonly insertOne: Statement<unknown[]>;
  private readonly selectOpen: Statement<[], PendingRow>;
  private readonly selectOne: Statement<[number], PendingRow>;
  private readonly resolveOne: Statement<unknown[]>;

  constructor(private readonly db: Database.Database) {
    this.insertOne = db.prepare(
      'INSERT INTO pending_versions (sha256, author, reason, created_at, expires_at, rollback_of, base_version, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectOpen = db.prepare<[], PendingRow>(`SELECT ${COLUMNS} FROM pending_versions WHERE state = 'pending' ORDER BY id`);
    this.selectOne = db.prepare<[number], PendingRow>(`SELECT ${COLUMNS} FROM pending_versions WHERE id = ? AND state = 'pending'`);
    this.resolveOne = db.prepare(
      "UPDATE pending_versions SET state = ?, resolved_by = ?, resolved_at = ?, version = ? WHERE id = ? AND state = 'pending'",
    );
  }

  /** Adds a pending version and returns it. */
  add(p: Omit<PendingRecord, 'id'>): PendingRecord {
    const info = this.insertOne.run(p.sha256, p.author, p.reason, p.createdAt, p.expiresAt, p.rollbackOf, p.baseVersion, p.document);
    return { ...p, id: Number(info.lastInsertRowid) };
  }

  /** Every version still waiting, oldest first. */
  open(): PendingRecord[] {
    return this.selectOpen.all().map(toRecord);
  }

  /** One version still waiting, or null (unknown, or approved, rejected or expired already). */
  get(id: number): PendingRecord | null {
    const row = this.selectOne.get(id);
    return row ? toRecord(row) : null;
  }

  /** Closes a pending version; false when it was no longer pending. Runs in the caller's transaction, if any. */
  resolve(id: number, outcome: PendingOutcome, by: string, at: string, version: number | null = null): boolean {
    return this.resolveOne.run(outcome, by, at, version, id).changes === 1;
  }

  /** Runs `body` in one IMMEDIATE transaction of the registry database. */
  transaction<T>(body: () => T): T {
    return this.db.transaction(body).immediate();
  }
}
