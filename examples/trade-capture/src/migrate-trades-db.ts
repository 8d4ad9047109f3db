import type Database from 'better-sqlite3';
import { TRADES_INDEX, tradesTable } from './schema.js';

/** Thrown when a migration would leave a row pointing at a trade that no longer exists. */
export class TradesMigrationError extends Error {
  override readonly name = 'TradesMigrationError';
}

/**
 * Brings a trades database created by an older example to the current schema. Version 0 → 1: the
 * trades table's CHECK on settlement_source gains 'in-process' (answers from the SDK's synced ruleset
 * were stored as 'service' before). SQLite cannot alter a CHECK, so the table is rebuilt beside the old
 * one, rows copied, and renamed over it, in one transaction (SQLite's documented 12-step procedure);
 * events, batches and instructions are not touched. A new or current database is left alone.
 * Foreign keys are switched off for the rebuild (better-sqlite3 turns them on by default, and dropping
 * the old table would then fail on the events that reference it) and checked before the commit; the
 * caller turns them on again.
 */
export function migrateTradesDb(db: Database.Database): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= 1) return;
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'trades'").get() as { sql: string } | undefined;
  if (row === undefined || row.sql.includes("'in-process'")) return;
  db.pragma('foreign_keys = OFF');
  db.transaction(() => {
    db.exec(tradesTable('trades_v1'));
    db.exec(
      'INSERT INTO trades_v1 SELECT trade_id, trade_date, asset_class, market, quantity, price, settlement_date, settlement_source, rule_id, ruleset_version, status FROM trades',
    );
    db.exec('DROP TABLE trades');
    db.exec('ALTER TABLE trades_v1 RENAME TO trades');
    db.exec(TRADES_INDEX);
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0)
      throw new TradesMigrationError(`trades migration to schema 1 would break ${broken.length} foreign key(s); database left unchanged`);
    db.pragma('user_version = 1');
  })();
}
