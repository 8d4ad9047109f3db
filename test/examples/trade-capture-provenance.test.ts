// Where each stored settlement date came from is kept honestly: an answer from the SDK's in-process
// ruleset is stored as 'in-process' (not as 'service'), and a trades database created before that
// source existed is migrated in place, its rows and events untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSettlementClient, type InProcessSettlementClient } from '@tplus/client-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSidecar } from '../../examples/trade-capture/src/embedded-sidecar.js';
import { TradeCapture } from '../../examples/trade-capture/src/trade-capture.js';
import { TradeStore } from '../../examples/trade-capture/src/trade-store.js';
import type { Trade } from '../../examples/trade-capture/src/trade.js';
import { BUNDLED_VERSION } from '../support/bundled.js';

const dir = mkdtempSync(join(tmpdir(), 'tplus-example-provenance-'));
const sidecar = new EmbeddedSidecar(join(dir, 'sidecar'));
let client: InProcessSettlementClient;

const trade = (tradeId: string, tradeDate = '2024-05-28'): Trade => ({
  tradeId,
  tradeDate,
  assetClass: 'EQUITY',
  market: 'XNYS',
  quantity: 100,
  price: 25.5,
});

/** The trades table as the example created it before 'in-process' was a source (schema version 0). */
const OLD_TRADES = `
CREATE TABLE trades (
  trade_id TEXT PRIMARY KEY, trade_date TEXT NOT NULL, asset_class TEXT NOT NULL, market TEXT NOT NULL,
  quantity INTEGER NOT NULL, price REAL NOT NULL, settlement_date TEXT NOT NULL,
  settlement_source TEXT NOT NULL CHECK (settlement_source IN ('service', 'fallback')),
  rule_id TEXT, ruleset_version INTEGER,
  status TEXT NOT NULL CHECK (status IN ('TRADE_CAPTURED', 'AWAITING_SETTLEMENT', 'SETTLEMENT_IN_PROGRESS', 'SETTLED', 'FAILED'))
) STRICT;
CREATE TABLE trade_events (
  event_id INTEGER PRIMARY KEY AUTOINCREMENT, trade_id TEXT NOT NULL REFERENCES trades (trade_id),
  event_type TEXT NOT NULL, at TEXT NOT NULL, settlement_date TEXT, settlement_source TEXT,
  rule_id TEXT, ruleset_version INTEGER, detail TEXT NOT NULL DEFAULT '{}'
) STRICT;`;

beforeAll(async () => {
  await sidecar.start();
  client = createSettlementClient({ address: sidecar.address, mode: 'in-process', deadlineMs: 2_000 });
  await client.ready({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await client?.close();
  await sidecar.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('trade capture provenance', () => {
  it("an in-process answer is stored as source 'in-process' on the trade and on its SETTLEMENT_DATE_ASSIGNED event", async () => {
    const store = new TradeStore(join(dir, 'in-process.db'));
    try {
      expect(await new TradeCapture(client, store).capture(trade('T-IP-1'))).toMatchObject({
        outcome: 'captured',
        source: 'in-process',
        provisional: false,
        settlementDate: '2024-05-29',
        ruleId: 'us-equity-xnys-t1',
      });
      expect(store.get('T-IP-1')).toMatchObject({
        settlement_source: 'in-process',
        rule_id: 'us-equity-xnys-t1',
        ruleset_version: BUNDLED_VERSION,
      });
      expect(store.events('T-IP-1')[1]).toMatchObject({
        eventType: 'SETTLEMENT_DATE_ASSIGNED',
        settlementSource: 'in-process',
        detail: { provisional: false, cycleDays: 1 },
      });
      expect(store.provisional()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('a trades database from before the in-process source is migrated: old rows kept, in-process dates accepted', async () => {
    const file = join(dir, 'old.db');
    const old = new Database(file);
    old.exec(OLD_TRADES);
    old
      .prepare(
        "INSERT INTO trades VALUES ('T-OLD', '2024-05-24', 'EQUITY', 'XNYS', 100, 25.5, '2024-05-29', 'service', 'us-equity-xnys-t2', 1, 'AWAITING_SETTLEMENT')",
      )
      .run();
    old
      .prepare(
        "INSERT INTO trade_events (trade_id, event_type, at, settlement_date, settlement_source) VALUES ('T-OLD', 'SETTLEMENT_DATE_ASSIGNED', '2024-05-24T15:00:00.000Z', '2024-05-29', 'service')",
      )
      .run();
    old.close();
    const store = new TradeStore(file);
    try {
      expect(store.get('T-OLD')).toMatchObject({
        settlement_source: 'service',
        settlement_date: '2024-05-29',
        status: 'AWAITING_SETTLEMENT',
      });
      expect(store.events('T-OLD').map((e) => [e.eventType, e.settlementSource])).toEqual([['SETTLEMENT_DATE_ASSIGNED', 'service']]);
      expect(await new TradeCapture(client, store).capture(trade('T-IP-2'))).toMatchObject({ outcome: 'captured', source: 'in-process' });
      expect(store.get('T-IP-2')).toMatchObject({ settlement_source: 'in-process' });
      expect(store.db.pragma('user_version', { simple: true })).toBe(1);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      // The CHECK still refuses anything else.
      expect(() => store.db.prepare("UPDATE trades SET settlement_source = 'guess' WHERE trade_id = 'T-OLD'").run()).toThrow(
        /CHECK constraint failed/,
      );
    } finally {
      store.close();
    }
    // Opening it again changes nothing.
    const again = new TradeStore(file);
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM trades').get() as { n: number }).n).toBe(2);
    again.close();
  });
});
