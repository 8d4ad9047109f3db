import type Database from 'better-sqlite3';
import { openTradesDb } from './open-trades-db.js';
import type { SettlementSource } from './schema.js';
import type { Trade, TradeEvent, TradeRow } from './trade.js';
import { assertTransition, type TradeEventType, type TradeState } from './trade-state.js';

/** A settlement date and where it came from, as stored on the trade and in its event. */
export interface DateAssignment {
  readonly settlementDate: string;
  readonly source: SettlementSource;
  readonly ruleId: string | null;
  readonly rulesetVersion: number | null;
  readonly detail: Record<string, unknown>;
}

/** A trade the service refused at capture, with the error code and message. */
export interface Rejection {
  readonly trade: Trade;
  readonly code: string;
  readonly reason: string;
}

/**
 * The status a captured trade is written with: TRADE_CAPTURED → AWAITING_SETTLEMENT, checked against the
 * state machine once here, so capture writes the row once instead of inserting it and updating its
 * (indexed) status in the same transaction. The events still record both steps.
 */
const CAPTURED_STATUS: TradeState = 'AWAITING_SETTLEMENT';
assertTransition('(capture)', 'TRADE_CAPTURED', CAPTURED_STATUS);

interface EventRow {
  event_id: number;
  trade_id: string;
  event_type: string;
  at: string;
  settlement_date: string | null;
  settlement_source: string | null;
  rule_id: string | null;
  ruleset_version: number | null;
  detail: string;
}

export class UnknownTradeError extends Error {
  override readonly name = 'UnknownTradeError';
  constructor(readonly tradeId: string) {
    super(`no trade ${tradeId}`);
  }
}

/**
 * The trades database. Every change of a trade's date or status appends an event in the same
 * transaction; status changes go through the state machine. Methods are synchronous (better-sqlite3)
 * and each is one transaction, or joins the caller's.
 */
export class TradeStore {
  readonly db: Database.Database;
  private readonly now: () => string;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string, now: () => string = () => new Date().toISOString()) {
    this.db = openTradesDb(path);
    this.now = now;
  }

  /** Inserts a captured trade with its settlement date: TRADE_CAPTURED, SETTLEMENT_DATE_ASSIGNED, → AWAITING_SETTLEMENT. */
  insertCaptured(trade: Trade, a: DateAssignment): void {
    this.db.transaction(() => this.insertOne(trade, a))();
  }

  /**
   * Many captures and rejections in ONE transaction: the same rows and events as insertCaptured and
   * recordRejection one by one, but one commit (one WAL append) for the lot instead of one per trade.
   * All or nothing: if any row is refused, none is written.
   */
  insertMany(captured: readonly { readonly trade: Trade; readonly a: DateAssignment }[], rejected: readonly Rejection[] = []): void {
    this.db.transaction(() => {
      for (const c of captured) this.insertOne(c.trade, c.a);
      for (const r of rejected) this.recordRejection(r.trade, r.code, r.reason);
    })();
  }

  /** Changes the current date of a trade; the event keeps the old and the new one. */
  reassignDate(tradeId: string, type: 'SETTLEMENT_DATE_ASSIGNED' | 'SETTLEMENT_DATE_CORRECTED', a: DateAssignment): void {
    this.db.transaction(() => {
      this.get(tradeId);
      this.stmt('UPDATE trades SET settlement_date = ?, settlement_source = ?, rule_id = ?, ruleset_version = ? WHERE trade_id = ?').run(
        a.settlementDate,
        a.source,
        a.ruleId,
        a.rulesetVersion,
        tradeId,
      );
      this.appendEvent(tradeId, type, a, a.detail);
    })();
  }

  /** Moves a trade along the state machine (IllegalTransitionError otherwise) and records the event. */
  transition(tradeId: string, to: TradeState, type: TradeEventType, detail: Record<string, unknown> = {}): void {
    this.db.transaction(() => {
      const row = this.get(tradeId);
      this.move(tradeId, row.status, to);
      this.appendEvent(tradeId, type, null, { from: row.status, to, ...detail });
    })();
  }

  get(tradeId: string): TradeRow {
    const row = this.find(tradeId);
    if (!row) throw new UnknownTradeError(tradeId);
    return row;
  }

  find(tradeId: string): TradeRow | undefined {
    return this.stmt('SELECT * FROM trades WHERE trade_id = ?').get(tradeId) as TradeRow | undefined;
  }

  /** The stored settlement date of each of `tradeIds` already in the store (one query for the lot). */
  findDates(tradeIds: readonly string[]): Map<string, string> {
    const rows = this.stmt('SELECT trade_id, settlement_date FROM trades WHERE trade_id IN (SELECT value FROM json_each(?))').all(
      JSON.stringify(tradeIds),
    ) as { trade_id: string; settlement_date: string }[];
    return new Map(rows.map((r) => [r.trade_id, r.settlement_date]));
  }

  /** Every event of a trade, oldest first. */
  events(tradeId: string): TradeEvent[] {
    const rows = this.stmt('SELECT * FROM trade_events WHERE trade_id = ? ORDER BY event_id').all(tradeId) as EventRow[];
    return rows.map((r) => ({
      eventId: r.event_id,
      tradeId: r.trade_id,
      eventType: r.event_type,
      at: r.at,
      settlementDate: r.settlement_date,
      settlementSource: r.settlement_source,
      ruleId: r.rule_id,
      rulesetVersion: r.ruleset_version,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }

  /** Trades whose current date is still a fallback answer, oldest trade date first. */
  provisional(): TradeRow[] {
    return this.stmt("SELECT * FROM trades WHERE settlement_source = 'fallback' ORDER BY trade_date, trade_id").all() as TradeRow[];
  }

  recordRejection(trade: Trade, code: string, reason: string): void {
    this.stmt(
      'INSERT INTO trade_rejections (trade_id, trade_date, asset_class, market, code, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(trade.tradeId, trade.tradeDate, trade.assetClass, trade.market, code, reason, this.now());
  }

  timestamp(): string {
    return this.now();
  }

  close(): void {
    this.db.close();
  }

  private insertOne(trade: Trade, a: DateAssignment): void {
    const at = this.now();
    this.stmt(
      `INSERT INTO trades (trade_id, trade_date, asset_class, market, quantity, price, settlement_date, settlement_source, rule_id, ruleset_version, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      trade.tradeId,
      trade.tradeDate,
      trade.assetClass,
      trade.market,
      trade.quantity,
      trade.price,
      a.settlementDate,
      a.source,
      a.ruleId,
      a.rulesetVersion,
      CAPTURED_STATUS,
    );
    // TRADE_CAPTURED then SETTLEMENT_DATE_ASSIGNED, in that order, as one statement (capture's hot path).
    const captured = JSON.stringify({
      tradeDate: trade.tradeDate,
      assetClass: trade.assetClass,
      market: trade.market,
      quantity: trade.quantity,
      price: trade.price,
    });
    this.stmt(
      `INSERT INTO trade_events (trade_id, event_type, at, settlement_date, settlement_source, rule_id, ruleset_version, detail)
         VALUES (?, 'TRADE_CAPTURED', ?, NULL, NULL, NULL, NULL, ?), (?, 'SETTLEMENT_DATE_ASSIGNED', ?, ?, ?, ?, ?, ?)`,
    ).run(trade.tradeId, at, captured, trade.tradeId, at, a.settlementDate, a.source, a.ruleId, a.rulesetVersion, JSON.stringify(a.detail));
  }

  private move(tradeId: string, from: string, to: TradeState): void {
    assertTransition(tradeId, from, to);
    this.stmt('UPDATE trades SET status = ? WHERE trade_id = ?').run(to, tradeId);
  }

  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private appendEvent(tradeId: string, type: TradeEventType, a: DateAssignment | null, detail: Record<string, unknown>): void {
    this.stmt(
      `INSERT INTO trade_events (trade_id, event_type, at, settlement_date, settlement_source, rule_id, ruleset_version, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      tradeId,
      type,
      this.now(),
      a?.settlementDate ?? null,
      a?.source ?? null,
      a?.ruleId ?? null,
      a?.rulesetVersion ?? null,
      JSON.stringify(detail),
    );
  }
}
