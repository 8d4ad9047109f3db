import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StartFailure } from '../runtime/index.js';

/** The file whose lock says "a tplus process uses this data dir". */
export const LOCK_FILE = 'tplus.lock';

const errorCode = (err: unknown): string => {
  const e = err as { code?: unknown } | null;
  return typeof e?.code === 'string' ? e.code : String(err);
};

/**
 * One process per data dir: an exclusive SQLite lock on DATA_DIR/tplus.lock, held until release() or
 * the process ends (the kernel drops it even after kill -9, so a crash never leaves a stale lock).
 * Taken before anything else touches the directory; a StartFailure names --data-dir when the directory
 * cannot be created or written, or when another process holds the lock.
 */
export class DataDirLock {
  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {}

  static acquire(dir: string, flag = '--data-dir'): DataDirLock {
    const file = join(dir, LOCK_FILE);
    const unwritable = (err: unknown): StartFailure =>
      new StartFailure(flag, dir, `cannot be created or written (${errorCode(err)})`, `pass ${flag} DIR this user can write`);
    let db: Database.Database;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Database(file, { timeout: 0 });
    } catch (err) {
      throw unwritable(err);
    }
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if (errorCode(err) === 'SQLITE_BUSY')
        throw new StartFailure(flag, dir, `is in use by another tplus (it holds ${file})`, `pass ${flag} DIR`);
      throw unwritable(err);
    }
    return new DataDirLock(file, db);
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
