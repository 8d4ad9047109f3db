import type { Database } from 'better-sqlite3';

/** Bumped when the schema changes; a database from a newer tplus is refused rather than guessed at. */
export const STORE_SCHEMA_VERSION = 1;

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

/** Creates or checks the schema. Throws an Error naming the file's schema version when it is newer. */
export function migrateStore(db: Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > STORE_SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${current}; this tplus understands up to ${STORE_SCHEMA_VERSION}`);
  }
  if (current === STORE_SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(SCHEMA_V1);
    db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
  })();
}
