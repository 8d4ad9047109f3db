import Database from 'better-sqlite3';
import { migrateTradesDb } from './migrate-trades-db.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';

/** Opens (creating if needed) a trades database: WAL, foreign keys on, older schemas migrated, schema applied. */
export function openTradesDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  try {
    // Before CREATE ... IF NOT EXISTS, which would keep an old trades table as it is.
    migrateTradesDb(db);
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
