import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTO_ROOT, SETTLEMENT_PROTO_FILE } from '../../server/src/rpc/settlement-proto.js';
import { bundled, BUNDLED_VERSION } from '../support/bundled.js';
import { startTestSidecar, TestClient, type Message, type TestSidecar } from './sidecar-harness.js';

let sidecar: TestSidecar;
beforeAll(async () => {
  sidecar = await startTestSidecar();
});
afterAll(async () => {
  await sidecar.stop();
});

const XNYS = { assetClass: 'EQUITY', market: 'XNYS' };

describe.each(['tcp', 'unix'] as const)('every RPC over %s', (transport) => {
  let client: TestClient;
  beforeAll(() => {
    client = new TestClient(sidecar.addresses[transport]);
  });
  afterAll(() => client.close());

  it('GetSettlementDate answers both sides of the 2024-05-28 T+1 cutover with rule and ruleset', async () => {
    const before = await client.call('GetSettlementDate', { tradeDate: '2024-05-24', ...XNYS });
    const after = await client.call('GetSettlementDate', { tradeDate: '2024-05-28', ...XNYS });
    const hash = sidecar.handle.current().active.ruleset.hash;
    expect(before).toEqual({
      settlementDate: '2024-05-29',
      ruleId: 'us-equity-xnys-t2',
      ruleName: expect.any(String),
      cycleDays: 2,
      calendarId: 'US-SETTLEMENT',
      rulesetVersion: BUNDLED_VERSION,
      rulesetHash: hash,
      settlementType: 'REGULAR',
      segment: '',
      businessDays: 2,
      settlementTypeSource: '',
    });
    expect(after).toMatchObject({
      settlementDate: '2024-05-29',
      ruleId: 'us-equity-xnys-t1',
      cycleDays: 1,
      rulesetVersion: BUNDLED_VERSION,
    });
  });

  it('GetSettlementDate honours allow_non_trading_day and a held ruleset_version', async () => {
    const holiday = { tradeDate: '2024-07-04', ...XNYS };
    const allowed = await client.call('GetSettlementDate', { ...holiday, allowNonTradingDay: true });
    expect(allowed).toMatchObject({ settlementDate: '2024-07-05' });
    const pinned = await client.call('GetSettlementDate', { tradeDate: '2024-05-28', ...XNYS, rulesetVersion: BUNDLED_VERSION });
    expect(pinned).toMatchObject({ rulesetVersion: BUNDLED_VERSION, settlementDate: '2024-05-29' });
  });

  it('BatchGetSettlementDates answers in request order with per-item errors', async () => {
    const res = await client.call<{ results: Message[] }>('BatchGetSettlementDates', {
      items: [
        { tradeDate: '2024-10-11', ...XNYS },
        { tradeDate: 'garbage', ...XNYS },
        { tradeDate: '2024-10-14', ...XNYS },
      ],
    });
    expect(res.results.map((r) => r['result'])).toEqual(['decision', 'error', 'decision']);
    expect(res.results[0]).toMatchObject({ decision: { settlementDate: '2024-10-15' } });
    expect(res.results[1]).toMatchObject({ error: { code: 'INVALID_DATE', message: expect.stringContaining('"garbage"') } });
  });

  it('BatchGetSettlementDatesColumnar answers packed columns with a rule dictionary and an error side list', async () => {
    const res = await client.call<Message>('BatchGetSettlementDatesColumnar', {
      tradeDates: [20240524, 20240528, 20240230, 20240704, 20240528],
      keys: [XNYS, { assetClass: 'EQUITY', market: 'QQQQ' }],
      keyIndexes: [0, 0, 0, 0, 1],
    });
    expect(res).toMatchObject({
      settlementDates: [20240529, 20240529, 0, 0, 0],
      statusCodes: [0, 0, 3, 9, 5],
      rulesetVersion: BUNDLED_VERSION,
      ruleIds: ['us-equity-xnys-t2', 'us-equity-xnys-t1'],
      ruleIndexes: [0, 1, 0, 0, 0],
      cycleDays: [2, 1, 0, 0, 0],
    });
    expect((res['errors'] as Message[]).map((e) => [e['index'], e['code']])).toEqual([
      [2, 'INVALID_DATE'],
      [3, 'NOT_A_TRADING_DAY'],
      [4, 'NO_RULE'],
    ]);
  });

  it('StreamSettlementDates echoes correlation ids in order', async () => {
    const stream = client.stream();
    const results: Message[] = [];
    stream.on('data', (m: Message) => results.push(m));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    stream.write({ tradeDate: '2024-05-24', ...XNYS, correlationId: 'a' });
    stream.write({ tradeDate: 'nope', ...XNYS, correlationId: 'b' });
    stream.write({ tradeDate: '2024-05-28', ...XNYS, correlationId: 'c' });
    stream.end();
    await done;
    expect(results.map((r) => [r['correlationId'], r['result']])).toEqual([
      ['a', 'decision'],
      ['b', 'error'],
      ['c', 'decision'],
    ]);
  });

  it('ExplainSettlementDate returns the decision, the candidate rules and every day walked', async () => {
    const res = await client.call<Message>('ExplainSettlementDate', { tradeDate: '2024-10-11', ...XNYS });
    expect(res['decision']).toMatchObject({ settlementDate: '2024-10-15', ruleId: 'us-equity-xnys-t1' });
    expect((res['candidates'] as Message[]).filter((c) => c['matched']).map((c) => c['ruleId'])).toEqual(['us-equity-xnys-t1']);
    expect(res['steps']).toEqual([
      { date: '2024-10-12', counted: false, count: 0, skippedBecause: 'weekend' },
      { date: '2024-10-13', counted: false, count: 0, skippedBecause: 'weekend' },
      { date: '2024-10-14', counted: false, count: 0, skippedBecause: expect.stringContaining('Columbus') },
      { date: '2024-10-15', counted: true, count: 1, skippedBecause: '' },
    ]);
    expect(res['tradingDay']).toEqual({ calendarId: 'XNYS', open: true, reason: '' });
    expect(res['text']).toContain('settles 2024-10-15');
  });

  it('GetRulesetInfo reports version, hash, source, horizons, rule count and held versions', async () => {
    const res = await client.call<Message>('GetRulesetInfo', {});
    const { ruleset } = bundled();
    expect(res).toMatchObject({
      rulesetVersion: BUNDLED_VERSION,
      rulesetHash: ruleset.hash,
      source: 'bundled',
      publishedAt: '2026-11-27T09:30:00.000Z',
      ruleCount: ruleset.rules.length,
      heldVersions: [{ rulesetVersion: BUNDLED_VERSION, rulesetHash: ruleset.hash, source: 'bundled', active: true }],
    });
    const us = (res['calendarHorizons'] as Message[]).find((h) => h['calendarId'] === 'US-SETTLEMENT');
    // 2026-11-27 → 2035-12-31
    expect(us).toEqual({
      calendarId: 'US-SETTLEMENT',
      coveredFrom: '2000-01-01',
      lastCoveredDate: '2035-12-31',
      horizonDays: 3321,
      kind: 'settlement',
    });
  });

  it('ListRules lists every rule, or those of one market and asset class', async () => {
    const all = await client.call<{ rules: Message[] }>('ListRules', {});
    expect(all.rules).toHaveLength(bundled().ruleset.rules.length);
    const xnys = await client.call<{ rules: Message[] }>('ListRules', XNYS);
    expect(xnys.rules.map((r) => [r['ruleId'], r['cycleDays'], r['effectiveFrom'], r['effectiveTo']])).toEqual([
      ['us-equity-xnys-t3', 3, '2000-01-01', '2017-09-04'],
      ['us-equity-xnys-t2', 2, '2017-09-05', '2024-05-27'],
      ['us-equity-xnys-t1', 1, '2024-05-28', '9999-12-31'],
    ]);
    expect(xnys.rules[0]).toMatchObject({ settlementCalendarId: 'US-SETTLEMENT', tradingCalendarId: 'XNYS' });
  });

  it('ListHolidays lists named non-business days in a range, and defaults to the covered range', async () => {
    const res = await client.call<Message>('ListHolidays', { calendarId: 'XNYS', from: '2025-01-01', to: '2025-01-31' });
    expect(res).toMatchObject({ calendarId: 'XNYS', coveredFrom: '2000-01-01', coveredTo: '2035-12-31', weekend: [0, 6] });
    expect((res['holidays'] as Message[]).map((h) => [h['date'], h['closesSettlement']])).toEqual([
      ['2025-01-01', true],
      ['2025-01-09', false],
      ['2025-01-20', true],
    ]);
    const whole = await client.call<{ holidays: unknown[] }>('ListHolidays', { calendarId: 'US-SETTLEMENT' });
    expect(whole.holidays.length).toBeGreaterThan(300);
  });
});

describe('a client generated from the .proto with loadPackageDefinition (as outside callers do)', () => {
  it('calls GetSettlementDate over the Unix socket', async () => {
    const def = loadSync(SETTLEMENT_PROTO_FILE, { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, defaults: true, oneofs: true });
    const pkg = loadPackageDefinition(def) as unknown as { tplus: { settlement: { v1: GrpcObject } } };
    const Ctor = pkg.tplus.settlement.v1['SettlementService'] as ServiceClientConstructor;
    const stub = new Ctor(sidecar.addresses.unix, credentials.createInsecure());
    try {
      const res = await new Promise<Message>((resolve, reject) => {
        const method = stub['GetSettlementDate'] as (req: object, cb: (e: Error | null, r: Message) => void) => void;
        method.call(stub, { trade_date: '2024-05-28', asset_class: 'EQUITY', market: 'XNYS' }, (e, r) => (e ? reject(e) : resolve(r)));
      });
      expect(res).toMatchObject({ settlement_date: '2024-05-29', ruleset_version: String(BUNDLED_VERSION) });
    } finally {
      stub.close();
    }
  });
});
