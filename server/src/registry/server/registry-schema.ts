import type { Database } from 'better-sqlite3';

export const REGISTRY_SCHEMA_VERSION = 2;

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

/**
 * v2: who approved a version (four-eyes publishing; '' when the registry did not require approval), and
 * the versions waiting for approval. A pending row changes state once (pending → approved, rejected or
 * expired); it is never deleted, so the table is its own history.
 */
const SCHEMA_V2 = `
ALTER TABLE versions ADD COLUMN approver TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS pending_versions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256       TEXT    NOT NULL CHECK (length(sha256) = 64),
  author       TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  created_at   TEXT    NOT NULL,
  expires_at   TEXT    NOT NULL,
  rollback_of  INTEGER NOT NULL DEFAULT 0,
  base_version INTEGER NOT NULL,
  document     BLOB    NOT NULL,
  state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'expired')),
  resolved_by  TEXT,
  resolved_at  TEXT,
  version      INTEGER
) STRICT;
CREATE TRIGGER IF NOT EXISTS pending_no_delete BEFORE DELETE ON pending_versions
  BEGIN SELECT RAISE(ABORT, 'pending versions are kept: DELETE refused'); END;
CREATE TRIGGER IF NOT EXISTS pending_resolved_once BEFORE UPDATE ON pending_versions
  WHEN OLD.state <> 'pending' OR NEW.document <> OLD.document OR NEW.sha256 <> OLD.sha256 OR NEW.author <> OLD.author
  BEGIN SELECT RAISE(ABORT, 'a pending version is resolved once and never altered'); END;
`;

export function migrateRegistry(db: Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > REGISTRY_SCHEMA_VERSION) {
    throw new Error(`${file} has registry schema version ${current}; this tplus understands up to ${REGISTRY_SCHEMA_VERSION}`);
  }
  if (current === REGISTRY_SCHEMA_VERSION) return;
  db.transaction(() => {
    if (current < 1) db.exec(SCHEMA_V1);
    db.exec(SCHEMA_V2);
    db.pragma(`user_version = ${REGISTRY_SCHEMA_VERSION}`);
  })();
}
