import { TRADE_EVENT_TYPES, TRADE_STATES } from './trade-state.js';

const list = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');

/** Where a stored settlement date came from: the sidecar over RPC, the SDK's synced in-process ruleset, or the fallback. */
export const SETTLEMENT_SOURCES = ['service', 'in-process', 'fallback'] as const;
export type SettlementSource = (typeof SETTLEMENT_SOURCES)[number];

/** PRAGMA user_version of a database with this schema; migrate-trades-db.ts brings older ones here. */
export const SCHEMA_VERSION = 1;

/** The trades table under `name` (the migration builds the new one beside the old, then renames it). */
export function tradesTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  trade_id          TEXT PRIMARY KEY,
  trade_date        TEXT NOT NULL,
  asset_class       TEXT NOT NULL,
  market            TEXT NOT NULL,
  quantity          INTEGER NOT NULL,
  price             REAL NOT NULL,
  settlement_date   TEXT NOT NULL,
  settlement_source TEXT NOT NULL CHECK (settlement_source IN (${list(SETTLEMENT_SOURCES)})),
  rule_id           TEXT,
  ruleset_version   INTEGER,
  status            TEXT NOT NULL CHECK (status IN (${list(TRADE_STATES)}))
) STRICT;`;
}

export const TRADES_INDEX = 'CREATE INDEX IF NOT EXISTS trades_settlement_date_status ON trades (settlement_date, status);';

/**
 * trades: one row per trade, its current settlement date and status.
 * trade_events: append-only (triggers refuse UPDATE and DELETE): the lineage of every date and status.
 * settlement_batches / settlement_instructions: the end-of-day batch, one instruction per
 * (batch_id, trade_id) and at most one per trade.
 * trade_rejections: trades refused at capture, with the reason.
 */
export const SCHEMA = `
${tradesTable('trades')}
${TRADES_INDEX}

CREATE TABLE IF NOT EXISTS trade_events (
  event_id          INTEGER PRIMARY KEY AUTOINCREMENT,
  trade_id          TEXT NOT NULL REFERENCES trades (trade_id),
  event_type        TEXT NOT NULL CHECK (event_type IN (${list(TRADE_EVENT_TYPES)})),
  at                TEXT NOT NULL,
  settlement_date   TEXT,
  settlement_source TEXT,
  rule_id           TEXT,
  ruleset_version   INTEGER,
  detail            TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX IF NOT EXISTS trade_events_trade ON trade_events (trade_id, event_id);
CREATE TRIGGER IF NOT EXISTS trade_events_no_update BEFORE UPDATE ON trade_events
  BEGIN SELECT RAISE(ABORT, 'trade_events is append-only'); END;
CREATE TRIGGER IF NOT EXISTS trade_events_no_delete BEFORE DELETE ON trade_events
  BEGIN SELECT RAISE(ABORT, 'trade_events is append-only'); END;

CREATE TABLE IF NOT EXISTS settlement_batches (
  batch_id        TEXT PRIMARY KEY,
  settlement_date TEXT NOT NULL,
  forced_reason   TEXT,
  started_at      TEXT NOT NULL,
  completed_at    TEXT
) STRICT;

CREATE TABLE IF NOT EXISTS settlement_instructions (
  batch_id        TEXT NOT NULL REFERENCES settlement_batches (batch_id),
  trade_id        TEXT NOT NULL REFERENCES trades (trade_id),
  seq             INTEGER NOT NULL,
  settlement_date TEXT NOT NULL,
  market          TEXT NOT NULL,
  quantity        INTEGER NOT NULL,
  amount          REAL NOT NULL,
  created_at      TEXT NOT NULL,
  PRIMARY KEY (batch_id, trade_id)
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS settlement_instructions_one_per_trade ON settlement_instructions (trade_id);

CREATE TABLE IF NOT EXISTS trade_rejections (
  rejection_id INTEGER PRIMARY KEY AUTOINCREMENT,
  trade_id     TEXT NOT NULL,
  trade_date   TEXT NOT NULL,
  asset_class  TEXT NOT NULL,
  market       TEXT NOT NULL,
  code         TEXT NOT NULL,
  reason       TEXT NOT NULL,
  at           TEXT NOT NULL
) STRICT;
`;
