// Fallback then reconcile: trades captured while the real sidecar is killed are booked with a
// provisional T+2 weekends-only date, block the end-of-day batch, and are corrected (never
// rewritten) once the sidecar is back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSettlementClient, type SettlementClient } from '@tplus/client-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSidecar } from '../../examples/trade-capture/src/embedded-sidecar.js';
import { lineage } from '../../examples/trade-capture/src/lineage.js';
import { reconcileTrades, type TradeReconcileSummary } from '../../examples/trade-capture/src/reconcile-trades.js';
import { confirmSettlement, settleDay, SettleDayError } from '../../examples/trade-capture/src/settle-day.js';
import { TradeCapture } from '../../examples/trade-capture/src/trade-capture.js';
import { TradeStore } from '../../examples/trade-capture/src/trade-store.js';
import type { Trade } from '../../examples/trade-capture/src/trade.js';
import { BUNDLED_VERSION } from '../support/bundled.js';

const dir = mkdtempSync(join(tmpdir(), 'tplus-example-outage-'));
const sidecar = new EmbeddedSidecar(join(dir, 'sidecar'));
let client: SettlementClient;
let store: TradeStore;
let forced: TradeStore;
let orphan: TradeStore;

const trade = (tradeId: string, tradeDate: string, assetClass = 'EQUITY', market = 'XNYS'): Trade => ({
  tradeId,
  tradeDate,
  assetClass,
  market,
  quantity: 100,
  price: 25.5,
});
const BEFORE = trade('T-BEFORE', '2024-05-23'); // captured while the service is up: 2024-05-28
const MEMORIAL = trade('T-OUTAGE-1', '2024-05-24'); // fallback 2024-05-28, service 2024-05-29 (Memorial Day)
const T1 = trade('T-OUTAGE-2', '2024-06-03', 'ETF', 'XNAS'); // fallback 2024-06-05, service 2024-06-04 (T+1)
const SAME = trade('T-OUTAGE-3', '2024-05-21'); // fallback and service agree: 2024-05-23

async function reconcileUntilDone(s: TradeStore): Promise<TradeReconcileSummary> {
  const end = Date.now() + 20_000;
  for (;;) {
    const r = await reconcileTrades(client, s);
    if (r.remaining.length === 0 || Date.now() > end) return r;
    await new Promise((done) => setTimeout(done, 200));
  }
}

beforeAll(async () => {
  await sidecar.start();
  client = createSettlementClient({ address: sidecar.address, deadlineMs: 200, breaker: { resetTimeoutMs: 300 } });
  store = new TradeStore(join(dir, 'trades.db'));
  forced = new TradeStore(join(dir, 'forced.db'));
  orphan = new TradeStore(join(dir, 'orphan.db'));
});

afterAll(async () => {
  await client?.close();
  store?.close();
  forced?.close();
  orphan?.close();
  await sidecar.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a trade captured during an outage: fallback, then reconcile', () => {
  it('before the outage: the service answers with rule and ruleset version', async () => {
    expect(await new TradeCapture(client, store).capture(BEFORE)).toMatchObject({
      outcome: 'captured',
      source: 'service',
      provisional: false,
      settlementDate: '2024-05-28',
      ruleId: 'us-equity-xnys-t2',
      rulesetVersion: BUNDLED_VERSION,
    });
  });

  it('sidecar killed: capture still books, with a provisional fallback date and no rule', async () => {
    await sidecar.stop('SIGKILL');
    const capture = new TradeCapture(client, store);
    expect(await capture.capture(MEMORIAL)).toMatchObject({
      outcome: 'captured',
      source: 'fallback',
      provisional: true,
      settlementDate: '2024-05-28',
      ruleId: null,
    });
    expect(await capture.capture(T1)).toMatchObject({ source: 'fallback', settlementDate: '2024-06-05' });
    expect(await capture.capture(SAME)).toMatchObject({ source: 'fallback', settlementDate: '2024-05-23' });
    expect(store.get(MEMORIAL.tradeId)).toMatchObject({
      settlement_source: 'fallback',
      rule_id: null,
      ruleset_version: null,
      status: 'AWAITING_SETTLEMENT',
    });
    const assigned = store.events(MEMORIAL.tradeId)[1];
    expect(assigned).toMatchObject({ eventType: 'SETTLEMENT_DATE_ASSIGNED', settlementSource: 'fallback', detail: { provisional: true } });
    expect(assigned?.detail['ledgerId']).toEqual(expect.any(String));
    // Booked by a process whose in-memory SDK ledger is gone by the time anyone reconciles.
    const gone = createSettlementClient({ address: sidecar.address, deadlineMs: 200 });
    expect(await new TradeCapture(gone, orphan).capture(T1)).toMatchObject({ source: 'fallback', settlementDate: '2024-06-05' });
    await gone.close();
    // The same trade captured twice: no second SDK call, no second row.
    expect(await capture.capture(MEMORIAL)).toEqual({ outcome: 'duplicate', tradeId: MEMORIAL.tradeId, settlementDate: '2024-05-28' });
  });

  it('the batch refuses a day that an unreconciled provisional trade could settle on; forcing needs a reason and is recorded', async () => {
    const refusal = (() => {
      try {
        settleDay(store, { date: '2024-05-28', batchId: 'EOD-2024-05-28' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(SettleDayError);
    expect(refusal).toMatchObject({ code: 'UNRECONCILED_PROVISIONAL', tradeIds: ['T-OUTAGE-1', 'T-OUTAGE-3'] });
    expect(store.stmt('SELECT COUNT(*) AS n FROM settlement_instructions').get()).toEqual({ n: 0 });
    // Trades dated after D cannot settle on D, so they do not block it.
    expect(settleDay(store, { date: '2024-05-20', batchId: 'EOD-2024-05-20' })).toMatchObject({ created: 0 });
    expect(() => settleDay(store, { date: '2024-05-28', batchId: 'X', forceReason: '  ' })).toThrow(/reason/);

    // Another desk forces its batch during the outage; its provisional trade goes out on the fallback date.
    expect(await new TradeCapture(client, forced).capture(MEMORIAL)).toMatchObject({ source: 'fallback', settlementDate: '2024-05-28' });
    const run = settleDay(forced, {
      date: '2024-05-28',
      batchId: 'EOD-2024-05-28',
      forceReason: 'ops ticket 42: sidecar down, settle on fallback dates',
    });
    expect(run).toMatchObject({
      created: 1,
      forcedReason: 'ops ticket 42: sidecar down, settle on fallback dates',
      provisional: ['T-OUTAGE-1'],
    });
    expect(forced.stmt('SELECT forced_reason FROM settlement_batches').get()).toEqual({ forced_reason: run.forcedReason });
  });

  it('reconcile while still down changes nothing and reports the trades as remaining', async () => {
    const r = await reconcileTrades(client, store);
    expect(r.remaining).toEqual(['T-OUTAGE-3', 'T-OUTAGE-1', 'T-OUTAGE-2']);
    expect(r.corrected).toEqual([]);
    expect(store.provisional()).toHaveLength(3);
  });

  it('sidecar restarted: reconcile corrects the wrong dates, confirms the right one, keeps both dates in the history', async () => {
    await sidecar.start();
    const r = await reconcileUntilDone(store);
    expect(r.remaining).toEqual([]);
    // The SDK's reconcile() resolved its ledger (these 3 and the forced desk's trade) in one batch.
    expect(r.sdk).toEqual({ checked: 4, confirmed: 1, corrected: 3, rejected: 0, remaining: 0 });
    expect(r.confirmed).toEqual(['T-OUTAGE-3']);
    expect(r.corrected).toEqual([
      {
        tradeId: 'T-OUTAGE-1',
        from: '2024-05-28',
        to: '2024-05-29',
        ruleId: 'us-equity-xnys-t2',
        rulesetVersion: BUNDLED_VERSION,
        afterSettlementStarted: false,
      },
      {
        tradeId: 'T-OUTAGE-2',
        from: '2024-06-05',
        to: '2024-06-04',
        ruleId: 'us-etf-xnas-t1',
        rulesetVersion: BUNDLED_VERSION,
        afterSettlementStarted: false,
      },
    ]);
    expect(store.get(MEMORIAL.tradeId)).toMatchObject({
      settlement_date: '2024-05-29',
      settlement_source: 'service',
      rule_id: 'us-equity-xnys-t2',
      ruleset_version: BUNDLED_VERSION,
      status: 'AWAITING_SETTLEMENT',
    });
    expect(store.get(SAME.tradeId)).toMatchObject({
      settlement_date: '2024-05-23',
      settlement_source: 'service',
      rule_id: 'us-equity-xnys-t2',
    });
    expect(store.events(MEMORIAL.tradeId).map((e) => [e.eventType, e.settlementDate, e.settlementSource, e.ruleId])).toEqual([
      ['TRADE_CAPTURED', null, null, null],
      ['SETTLEMENT_DATE_ASSIGNED', '2024-05-28', 'fallback', null],
      ['SETTLEMENT_DATE_CORRECTED', '2024-05-29', 'service', 'us-equity-xnys-t2'],
    ]);
    expect(store.events(MEMORIAL.tradeId)[2]?.detail).toMatchObject({ from: '2024-05-28', to: '2024-05-29' });
    // Running it again finds nothing to do.
    expect(await reconcileTrades(client, store)).toMatchObject({ confirmed: [], corrected: [], rejected: [], remaining: [] });

    // The forced desk's trade already went out on the fallback date: corrected, and flagged.
    const f = await reconcileUntilDone(forced);
    expect(f.corrected).toEqual([
      expect.objectContaining({ tradeId: 'T-OUTAGE-1', from: '2024-05-28', to: '2024-05-29', afterSettlementStarted: true }),
    ]);

    // A trade the ledger no longer knows is asked again directly.
    const o = await reconcileUntilDone(orphan);
    expect(o.corrected).toEqual([
      expect.objectContaining({ tradeId: 'T-OUTAGE-2', from: '2024-06-05', to: '2024-06-04', ruleId: 'us-etf-xnas-t1' }),
    ]);
    expect(orphan.get(T1.tradeId)).toMatchObject({ settlement_source: 'service', settlement_date: '2024-06-04' });
  });

  it('after reconcile the batch runs; the corrected trade settles on its real date; lineage has every step', () => {
    expect(settleDay(store, { date: '2024-05-28', batchId: 'EOD-2024-05-28' })).toMatchObject({ created: 1, provisional: [] });
    expect(store.stmt("SELECT trade_id FROM settlement_instructions WHERE batch_id = 'EOD-2024-05-28'").all()).toEqual([
      { trade_id: 'T-BEFORE' },
    ]);
    expect(settleDay(store, { date: '2024-05-29', batchId: 'EOD-2024-05-29' })).toMatchObject({ created: 1 });
    confirmSettlement(store, MEMORIAL.tradeId, 'SETTLED', { confirmation: 'DTC-123' });

    const l = lineage(store, MEMORIAL.tradeId);
    expect(l.trade).toMatchObject({ status: 'SETTLED', settlement_date: '2024-05-29' });
    expect(l.events.map((e) => e.eventType)).toEqual([
      'TRADE_CAPTURED',
      'SETTLEMENT_DATE_ASSIGNED',
      'SETTLEMENT_DATE_CORRECTED',
      'SETTLEMENT_STARTED',
      'SETTLED',
    ]);
    expect(l.dates).toEqual([
      { settlementDate: '2024-05-28', source: 'fallback', ruleId: null, rulesetVersion: null, eventType: 'SETTLEMENT_DATE_ASSIGNED' },
      {
        settlementDate: '2024-05-29',
        source: 'service',
        ruleId: 'us-equity-xnys-t2',
        rulesetVersion: BUNDLED_VERSION,
        eventType: 'SETTLEMENT_DATE_CORRECTED',
      },
    ]);
    expect(l.instructions).toEqual([expect.objectContaining({ batchId: 'EOD-2024-05-29', settlementDate: '2024-05-29', amount: 2550 })]);
    expect(l.events[3]?.detail).toMatchObject({ from: 'AWAITING_SETTLEMENT', to: 'SETTLEMENT_IN_PROGRESS', batchId: 'EOD-2024-05-29' });
    expect(l.events[4]?.detail).toMatchObject({ from: 'SETTLEMENT_IN_PROGRESS', to: 'SETTLED', confirmation: 'DTC-123' });
  });
});
