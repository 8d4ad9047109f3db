import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { migrateStore } from './store-schema.js';
import type { StoredRuleset, StoredRulesetRow } from './stored-ruleset.js';

export interface RulesetStoreOptions {
  /** How many versions to keep (newest first); the active one is always kept as well. */
  readonly keepVersions: number;
  /** RFC 3339 "now", recorded as stored_at. */
  readonly now: () => string;
}

interface RowShape {
  version: number;
  hash: string;
  source: string;
  published_at: string;
  document: string;
}

/**
 * The sidecar's local SQLite copy of its rulesets (WAL). Read at start and when a version is added,
 * never on the request path. Versions are immutable: adding an existing version with another hash
 * is refused.
 */
export class RulesetStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly options: RulesetStoreOptions;
  private readonly selectRows: Statement<[], RowShape>;
  private readonly selectActive: Statement<[], { active_version: number }>;
  private readonly selectHash: Statement<[number], { hash: string }>;

  private constructor(file: string, db: Database.Database, options: RulesetStoreOptions) {
    this.file = file;
    this.db = db;
    this.options = options;
    this.selectRows = db.prepare<[], RowShape>(
      'SELECT version, hash, source, published_at, document FROM ruleset_versions ORDER BY version DESC',
    );
    this.selectActive = db.prepare<[], { active_version: number }>('SELECT active_version FROM sidecar_state WHERE id = 1');
    this.selectHash = db.prepare<[number], { hash: string }>('SELECT hash FROM ruleset_versions WHERE version = ?');
  }

  /** Opens (creating when missing) the database file. */
  static open(file: string, options: RulesetStoreOptions): RulesetStore {
    if (!Number.isInteger(options.keepVersions) || options.keepVersions < 1) {
      throw new RangeError(`keepVersions must be a positive integer, got ${options.keepVersions}`);
    }
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrateStore(db, file);
      return new RulesetStore(file, db, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Every held version, newest first, documents still as JSON text. */
  rows(): StoredRulesetRow[] {
    return this.selectRows.all().map((r) => ({
      version: r.version,
      hash: r.hash,
      source: r.source,
      publishedAt: r.published_at,
      documentJson: r.document,
    }));
  }

  activeVersion(): number | null {
    return this.selectActive.get()?.active_version ?? null;
  }

  /**
   * Adds a version (idempotent for the same version and hash) and, when asked, makes it active,
   * then drops the oldest versions beyond `keepVersions` — all in one transaction.
   */
  add(entry: StoredRuleset, activate: boolean): void {
    this.db.transaction(() => {
      const existing = this.selectHash.get(entry.version);
      if (existing && existing.hash !== entry.hash) {
        throw new Error(`version ${entry.version} is already stored with hash ${existing.hash}, not ${entry.hash}`);
      }
      if (!existing) {
        this.db
          .prepare(
            'INSERT INTO ruleset_versions (version, hash, source, published_at, stored_at, document) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(entry.version, entry.hash, entry.source, entry.publishedAt, this.options.now(), JSON.stringify(entry.document));
      }
      if (activate) this.setActive(entry.version);
      this.prune();
    })();
  }

  /** Makes a held version active. */
  activate(version: number): void {
    this.db.transaction(() => {
      if (!this.selectHash.get(version)) throw new Error(`version ${version} is not stored`);
      this.setActive(version);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private setActive(version: number): void {
    this.db
      .prepare(
        'INSERT INTO sidecar_state (id, active_version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET active_version = excluded.active_version',
      )
      .run(version);
  }

  private prune(): void {
    this.db
      .prepare(
        `DELETE FROM ruleset_versions
          WHERE version NOT IN (SELECT version FROM ruleset_versions ORDER BY version DESC LIMIT ?)
            AND version NOT IN (SELECT active_version FROM sidecar_state)`,
      )
      .run(this.options.keepVersions);
  }
}
