import type { Database } from 'better-sqlite3';

export const REGISTRY_SCHEMA_VERSION = 1;

/**
 * Append-only: triggers refuse every UPDATE and DELETE, and an insert whose version is not exactly
 * the next one (or whose parent is not the previous one).
 */
const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS versions (
  version        INTEGER PRIMARY KEY CHECK (version > 0),
  parent_version INTEGER NOT NULL CHECK (parent_version >= 0),
  sha256         TEXT    NOT NULL CHECK (length(sha256) = 64),
  signature      BLOB    NOT NULL CHECK (length(signature) = 64),
  key_id         TEXT    NOT NULL,
  author         TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  published_at   TEXT    NOT NULL,
  rollback_of    INTEGER NOT NULL DEFAULT 0,
  document       BLOB    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS audit (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     TEXT NOT NULL,
  who    TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,
  result TEXT NOT NULL
) STRICT;
CREATE TRIGGER IF NOT EXISTS versions_no_update BEFORE UPDATE ON versions
  BEGIN SELECT RAISE(ABORT, 'versions are append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS versions_no_delete BEFORE DELETE ON versions
  BEGIN SELECT RAISE(ABORT, 'versions are append-only: DELETE refused'); END;
CREATE TRIGGER IF NOT EXISTS versions_next_only BEFORE INSERT ON versions
  WHEN NEW.version <> (SELECT coalesce(max(version), 0) + 1 FROM versions)
    OR NEW.parent_version <> (SELECT coalesce(max(version), 0) FROM versions)
  BEGIN SELECT RAISE(ABORT, 'versions must be appended in order'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only: DELETE refused'); END;
`;

export function migrateRegistry(db: Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > REGISTRY_SCHEMA_VERSION) {
    throw new Error(`${file} has registry schema version ${current}; this tplus understands up to ${REGISTRY_SCHEMA_VERSION}`);
  }
  if (current === REGISTRY_SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(SCHEMA_V1);
    db.pragma(`user_version = ${REGISTRY_SCHEMA_VERSION}`);
  })();
}
