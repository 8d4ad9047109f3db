// The trade state machine of the trade-capture example rejects illegal transitions, the event table
// is append-only, and the lineage query returns a trade's full history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineage } from '../../examples/trade-capture/src/lineage.js';
import { confirmSettlement, settleDay } from '../../examples/trade-capture/src/settle-day.js';
import { canTransition, IllegalTransitionError, TRADE_STATES, type TradeState } from '../../examples/trade-capture/src/trade-state.js';
import { TradeStore, UnknownTradeError, type DateAssignment } from '../../examples/trade-capture/src/trade-store.js';
import type { Trade } from '../../examples/trade-capture/src/trade.js';

const dir = mkdtempSync(join(tmpdir(), 'tplus-example-fsm-'));
let store: TradeStore;
let tick = 0;
const SERVICE: DateAssignment = {
  settlementDate: '2024-05-29',
  source: 'service',
  ruleId: 'us-equity-xnys-t1',
  rulesetVersion: 1,
  detail: { provisional: false, cycleDays: 1 },
};
const trade = (tradeId: string): Trade => ({
  tradeId,
  tradeDate: '2024-05-28',
  assetClass: 'EQUITY',
  market: 'XNYS',
  quantity: 10,
  price: 100,
});

beforeAll(() => {
  store = new TradeStore(join(dir, 'trades.db'), () => new Date(Date.UTC(2024, 4, 28, 12, 0, tick++)).toISOString());
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const LEGAL: readonly [TradeState, TradeState][] = [
  ['TRADE_CAPTURED', 'AWAITING_SETTLEMENT'],
  ['AWAITING_SETTLEMENT', 'SETTLEMENT_IN_PROGRESS'],
  ['SETTLEMENT_IN_PROGRESS', 'SETTLED'],
  ['SETTLEMENT_IN_PROGRESS', 'FAILED'],
];

describe('trade state machine', () => {
  it('allows exactly TRADE_CAPTURED → AWAITING_SETTLEMENT → SETTLEMENT_IN_PROGRESS → SETTLED | FAILED', () => {
    const allowed = TRADE_STATES.flatMap((from) => TRADE_STATES.filter((to) => canTransition(from, to)).map((to) => [from, to]));
    expect(allowed).toEqual(LEGAL);
    expect(canTransition('NOT_A_STATE', 'SETTLED')).toBe(false);
  });

  it('the store rejects illegal transitions and leaves the trade and its history unchanged', () => {
    store.insertCaptured(trade('T-1'), SERVICE);
    const illegal: [TradeState, string][] = [
      ['SETTLED', 'AWAITING_SETTLEMENT → SETTLED'],
      ['FAILED', 'AWAITING_SETTLEMENT → FAILED'],
      ['AWAITING_SETTLEMENT', 'AWAITING_SETTLEMENT → AWAITING_SETTLEMENT'],
      ['TRADE_CAPTURED', 'AWAITING_SETTLEMENT → TRADE_CAPTURED'],
    ];
    for (const [to, text] of illegal) {
      const before = store.events('T-1').length;
      expect(() => store.transition('T-1', to, 'SETTLED')).toThrow(IllegalTransitionError);
      expect(() => store.transition('T-1', to, 'SETTLED')).toThrow(text);
      expect(store.get('T-1').status).toBe('AWAITING_SETTLEMENT');
      expect(store.events('T-1')).toHaveLength(before);
    }
  });

  it('SETTLED and FAILED are final; settlement confirmations need a trade in progress', () => {
    store.insertCaptured(trade('T-2'), SERVICE);
    store.insertCaptured(trade('T-3'), SERVICE);
    expect(() => confirmSettlement(store, 'T-2', 'SETTLED')).toThrow('AWAITING_SETTLEMENT → SETTLED');
    settleDay(store, { date: '2024-05-29', batchId: 'B' });
    confirmSettlement(store, 'T-2', 'SETTLED');
    confirmSettlement(store, 'T-3', 'FAILED', { reason: 'counterparty short' });
    for (const to of TRADE_STATES) {
      expect(() => store.transition('T-2', to, 'FAILED')).toThrow(IllegalTransitionError);
      expect(() => store.transition('T-3', to, 'SETTLED')).toThrow(IllegalTransitionError);
    }
    expect(() => store.transition('NOPE', 'SETTLED', 'SETTLED')).toThrow(UnknownTradeError);
    // A direct UPDATE with a status outside the machine is refused by the schema too.
    expect(() => store.db.prepare("UPDATE trades SET status = 'CANCELLED' WHERE trade_id = 'T-2'").run()).toThrow(/CHECK constraint/);
  });
});

describe('lineage', () => {
  it('returns the full event history of a trade, oldest first, with rule and version of each date', () => {
    const l = lineage(store, 'T-2');
    expect(l.trade).toMatchObject({
      trade_id: 'T-2',
      status: 'SETTLED',
      settlement_date: '2024-05-29',
      rule_id: 'us-equity-xnys-t1',
      ruleset_version: 1,
    });
    expect(l.events.map((e) => [e.eventType, e.detail['from'] ?? null, e.detail['to'] ?? null])).toEqual([
      ['TRADE_CAPTURED', null, null],
      ['SETTLEMENT_DATE_ASSIGNED', null, null],
      ['SETTLEMENT_STARTED', 'AWAITING_SETTLEMENT', 'SETTLEMENT_IN_PROGRESS'],
      ['SETTLED', 'SETTLEMENT_IN_PROGRESS', 'SETTLED'],
    ]);
    expect(l.events.map((e) => e.eventId)).toEqual([...l.events.map((e) => e.eventId)].sort((a, b) => a - b));
    expect(l.events[0]?.detail).toEqual({ tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS', quantity: 10, price: 100 });
    expect(l.dates).toEqual([
      {
        settlementDate: '2024-05-29',
        source: 'service',
        ruleId: 'us-equity-xnys-t1',
        rulesetVersion: 1,
        eventType: 'SETTLEMENT_DATE_ASSIGNED',
      },
    ]);
    // seq 2: T-1 (still awaiting 2024-05-29) got the batch's first instruction.
    expect(l.instructions).toEqual([expect.objectContaining({ batchId: 'B', seq: 2, settlementDate: '2024-05-29', amount: 1000 })]);
    expect(lineage(store, 'T-3').events.at(-1)).toMatchObject({ eventType: 'FAILED', detail: { reason: 'counterparty short' } });
  });

  it('history cannot be rewritten: trade_events refuses UPDATE and DELETE', () => {
    expect(() => store.db.prepare("UPDATE trade_events SET settlement_date = '2024-05-30'").run()).toThrow('trade_events is append-only');
    expect(() => store.db.prepare('DELETE FROM trade_events').run()).toThrow('trade_events is append-only');
    expect(lineage(store, 'T-2').events).toHaveLength(4);
  });
});
