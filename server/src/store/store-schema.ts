import type { Database } from 'better-sqlite3';

/** Bumped when the schema changes; a database from a newer tplus is refused rather than guessed at. */
export const STORE_SCHEMA_VERSION = 3;

const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS ruleset_versions (
  version      INTEGER PRIMARY KEY CHECK (version > 0),
  hash         TEXT    NOT NULL CHECK (length(hash) = 64),
  source       TEXT    NOT NULL,
  published_at TEXT    NOT NULL,
  stored_at    TEXT    NOT NULL,
  document     TEXT    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS sidecar_state (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  active_version INTEGER NOT NULL REFERENCES ruleset_versions (version)
) STRICT;
`;

/**
 * v2: a version from a registry keeps what its signature covers (parent, author, reason, rollback) and
 * the signature itself, so it is re-verified at every start; NULL for versions that were never signed
 * (the bundled pack). The highest version ever activated is kept to tell when an older one is served.
 * Versions that fail verification move to `quarantined_versions`, bytes kept for forensics.
 */
const SCHEMA_V2 = `
ALTER TABLE ruleset_versions ADD COLUMN parent_version INTEGER;
ALTER TABLE ruleset_versions ADD COLUMN author TEXT;
ALTER TABLE ruleset_versions ADD COLUMN reason TEXT;
ALTER TABLE ruleset_versions ADD COLUMN rollback_of INTEGER;
ALTER TABLE ruleset_versions ADD COLUMN signature BLOB;
ALTER TABLE ruleset_versions ADD COLUMN key_id TEXT;
ALTER TABLE sidecar_state ADD COLUMN highest_activated INTEGER NOT NULL DEFAULT 0;
UPDATE sidecar_state SET highest_activated = active_version;
CREATE TABLE IF NOT EXISTS quarantined_versions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  version        INTEGER NOT NULL,
  hash           TEXT    NOT NULL,
  source         TEXT    NOT NULL,
  document       TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  quarantined_at TEXT    NOT NULL
) STRICT;
`;

/** v3: who approved a version (four-eyes publishing; NULL when none was needed), part of what is signed. */
const SCHEMA_V3 = `
ALTER TABLE ruleset_versions ADD COLUMN approver TEXT;
`;

/** Creates or upgrades the schema. Throws an Error naming the file's schema version when it is newer. */
export function migrateStore(db: Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > STORE_SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${current}; this tplus understands up to ${STORE_SCHEMA_VERSION}`);
  }
  if (current === STORE_SCHEMA_VERSION) return;
  db.transaction(() => {
    if (current < 1) db.exec(SCHEMA_V1);
    if (current < 2) db.exec(SCHEMA_V2);
    db.exec(SCHEMA_V3);
    db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
  })();
}
