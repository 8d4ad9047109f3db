import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { migrateRegistry } from './registry-schema.js';
import type { AuditEntry, VersionRecord } from '../index.js';
import type { AuditRowRecord, NewVersion } from './registry-backend.js';

interface VersionRow {
  version: number;
  parent_version: number;
  sha256: string;
  signature: Buffer;
  key_id: string;
  author: string;
  reason: string;
  published_at: string;
  rollback_of: number;
  document: Buffer;
  approver: string;
}

const COLUMNS = 'version, parent_version, sha256, signature, key_id, author, reason, published_at, rollback_of, document, approver';

function toRecord(r: VersionRow): VersionRecord {
  return {
    version: r.version,
    parentVersion: r.parent_version,
    sha256: r.sha256,
    signature: r.signature,
    keyId: r.key_id,
    author: r.author,
    reason: r.reason,
    publishedAt: r.published_at,
    rollbackOf: r.rollback_of,
    document: r.document,
    ...(r.approver === '' ? {} : { approver: r.approver }),
  };
}

/**
 * The registry's durable store (WAL, synchronous=FULL): append-only versions and audit. A version is
 * acknowledged only after its transaction has committed to disk.
 */
export class RegistryStore {
  private readonly selectLatest: Statement<[], VersionRow>;
  private readonly selectOne: Statement<[number], VersionRow>;
  private readonly selectAll: Statement<[], VersionRow>;
  private readonly insertVersion: Statement<unknown[]>;
  private readonly insertAudit: Statement<unknown[]>;

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {
    this.selectLatest = db.prepare<[], VersionRow>(`SELECT ${COLUMNS} FROM versions ORDER BY version DESC LIMIT 1`);
    this.selectOne = db.prepare<[number], VersionRow>(`SELECT ${COLUMNS} FROM versions WHERE version = ?`);
    this.selectAll = db.prepare<[], VersionRow>(`SELECT ${COLUMNS} FROM versions ORDER BY version DESC`);
    this.insertVersion = db.prepare(`INSERT INTO versions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertAudit = db.prepare('INSERT INTO audit (at, who, action, detail, result) VALUES (?, ?, ?, ?, ?)');
  }

  static open(file: string): RegistryStore {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      migrateRegistry(db, file);
      return new RegistryStore(file, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  latest(): VersionRecord | null {
    const row = this.selectLatest.get();
    return row ? toRecord(row) : null;
  }

  get(version: number): VersionRecord | null {
    const row = this.selectOne.get(version);
    return row ? toRecord(row) : null;
  }

  /** Newest first. */
  list(): VersionRecord[] {
    return this.selectAll.all().map(toRecord);
  }

  count(): number {
    return this.latest()?.version ?? 0;
  }

  /**
   * In one IMMEDIATE transaction: reads the latest version, lets `make` build the next record from it
   * (or return null to create nothing), and appends it with its audit row. Returns what was appended, or null.
   */
  append(make: (latest: VersionRecord | null) => NewVersion | null): VersionRecord | null {
    return this.db
      .transaction(() => {
        const made = make(this.latest());
        if (made === null) return null;
        const next = made.record;
        this.insertVersion.run(
          next.version,
          next.parentVersion,
          next.sha256,
          next.signature,
          next.keyId,
          next.author,
          next.reason,
          next.publishedAt,
          next.rollbackOf,
          next.document,
          next.approver ?? '',
        );
        this.audit(made.audit);
        return next;
      })
      .immediate();
  }

  audit(entry: AuditEntry): void {
    this.insertAudit.run(entry.at, entry.who, entry.action, entry.detail, entry.result);
  }

  auditRows(): AuditEntry[] {
    return this.db.prepare<[], AuditEntry>('SELECT at, who, action, detail, result FROM audit ORDER BY id').all();
  }

  /** Audit rows with an id above `afterId`, oldest first, at most `limit`. */
  auditPage(afterId: number, limit: number): AuditRowRecord[] {
    return this.db
      .prepare<[number, number], AuditRowRecord>('SELECT id, at, who, action, detail, result FROM audit WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit);
  }

  /** The connection, for tables whose writes must share a version's transaction (pending approvals). */
  get sqlite(): Database.Database {
    return this.db;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
