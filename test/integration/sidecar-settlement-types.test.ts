import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { segmentPack } from '../support/segment-pack.js';
import { errorReport, sidecarForFile, type Message } from './sidecar-harness.js';

// Settlement types and segments over every decision RPC of a real sidecar (bundled pack plus the XTST
// segment rules of test/support/segment-pack.ts), with the same answers and error codes as the core.
const sidecar = sidecarForFile(segmentPack());

const XNYS = { assetClass: 'EQUITY', market: 'XNYS' };
const XTST = { assetClass: 'EQUITY', market: 'XTST' };

describe('GetSettlementDate, BatchGetSettlementDates and StreamSettlementDates carry type and segment', () => {
  it("GetSettlementDate: a seller's option answer names the type, its business days and its source", async () => {
    const d = await sidecar.client.call('GetSettlementDate', {
      tradeDate: '2024-07-03',
      ...XNYS,
      settlementType: 'SELLERS_OPTION',
      optionDays: 2,
    });
    expect(d).toMatchObject({
      settlementDate: '2024-07-08',
      ruleId: 'us-equity-xnys-t1',
      cycleDays: 1,
      settlementType: 'SELLERS_OPTION',
      businessDays: 2,
      segment: '',
      settlementTypeSource: expect.stringContaining('NYSE Rules 64 and 178'),
    });
  });

  it('GetSettlementDate: a plain request is answered REGULAR with its cycle as business days', async () => {
    const d = await sidecar.client.call('GetSettlementDate', { tradeDate: '2024-07-03', ...XNYS });
    expect(d).toMatchObject({ settlementDate: '2024-07-05', settlementType: 'REGULAR', businessDays: 1, settlementTypeSource: '' });
  });

  it('GetSettlementDate: a segment rule takes precedence over the market default', async () => {
    const seg = await sidecar.client.call('GetSettlementDate', { tradeDate: '2022-03-25', ...XTST, segment: 'TRANCHE-A' });
    const dflt = await sidecar.client.call('GetSettlementDate', { tradeDate: '2022-03-25', ...XTST });
    expect(seg).toMatchObject({ ruleId: 'xtst-tranche-a-t1', segment: 'TRANCHE-A', settlementDate: '2022-03-28' });
    expect(dflt).toMatchObject({ ruleId: 'xtst-default-t2', segment: '', settlementDate: '2022-03-29' });
  });

  it.each([
    [{ settlementType: 'CASH', optionDays: 3 }, 'option_days', 'option_days 3 applies only to settlement_type SELLERS_OPTION, not CASH'],
    [{ settlementType: 'SELLERS_OPTION', optionDays: 1 }, 'option_days', "option_days 1 is outside the seller's option bounds"],
    [
      { settlementType: 'WHEN_ISSUED', settlementDate: '2024-07-04' },
      'settlement_date',
      'settlement_date 2024-07-04 is not a settlement day',
    ],
    [{ settlementType: 'T_PLUS_5' }, 'settlement_type', 'settlement_type "T_PLUS_5" is not one of'],
    [{ segment: 'lower case' }, 'segment', 'segment "lower case" is not'],
  ])('GetSettlementDate refuses %o: INVALID_ARGUMENT naming %s', async (terms, field, text) => {
    const report = errorReport(await sidecar.client.failure('GetSettlementDate', { tradeDate: '2024-07-03', ...XNYS, ...terms }));
    expect(report.code).toBe(status.INVALID_ARGUMENT);
    expect(report.reason).toBe('INVALID_ARGUMENT');
    expect(report.message).toContain(text);
    expect(report.info?.metadata['field']).toBe(field);
  });

  it('a type the rule does not define is INVALID_ARGUMENT (documented choice: not NO_RULE)', async () => {
    const report = errorReport(
      await sidecar.client.failure('GetSettlementDate', {
        tradeDate: '2024-07-03',
        assetClass: 'EQUITY',
        market: 'XLON',
        settlementType: 'CASH',
      }),
    );
    expect(report.code).toBe(status.INVALID_ARGUMENT);
    expect(report.message).toMatch(/^settlement_type CASH is not defined by rule \S+ \(it defines only REGULAR\)$/);
  });

  it('BatchGetSettlementDates: per-item types, segments and errors in request order', async () => {
    const res = await sidecar.client.call<{ results: Message[] }>('BatchGetSettlementDates', {
      items: [
        { tradeDate: '2024-07-03', ...XNYS, settlementType: 'CASH' },
        { tradeDate: '2024-07-01', ...XNYS, settlementType: 'WHEN_ISSUED', settlementDate: '2024-07-15' },
        { tradeDate: '2024-07-03', ...XNYS, settlementType: 'SELLERS_OPTION' },
        { tradeDate: '2022-03-25', ...XTST, segment: 'TRANCHE-B' },
      ],
    });
    expect(res.results[0]).toMatchObject({ decision: { settlementDate: '2024-07-03', settlementType: 'CASH', businessDays: 0 } });
    expect(res.results[1]).toMatchObject({ decision: { settlementDate: '2024-07-15', settlementType: 'WHEN_ISSUED', businessDays: 9 } });
    expect(res.results[2]).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', message: 'option_days is required with settlement_type SELLERS_OPTION' },
    });
    expect(res.results[3]).toMatchObject({ decision: { ruleId: 'xtst-tranche-b-t1', segment: 'TRANCHE-B', settlementDate: '2022-03-28' } });
  });

  it('StreamSettlementDates: each result carries its correlation id, type and segment', async () => {
    const stream = sidecar.client.stream(10_000);
    const got: Message[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (m: Message) => got.push(m));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    stream.write({ tradeDate: '2024-07-03', ...XNYS, settlementType: 'NEXT_DAY', correlationId: 'a' });
    stream.write({ tradeDate: '2022-02-25', ...XTST, segment: 'TRANCHE-A', correlationId: 'b' });
    stream.write({ tradeDate: '2024-07-03', ...XNYS, settlementType: 'WHEN_ISSUED', correlationId: 'c' });
    stream.end();
    await done;
    expect(got).toMatchObject([
      { correlationId: 'a', decision: { settlementDate: '2024-07-05', settlementType: 'NEXT_DAY' } },
      { correlationId: 'b', decision: { ruleId: 'xtst-tranche-a-t1', segment: 'TRANCHE-A', settlementDate: '2022-02-28' } },
      { correlationId: 'c', error: { code: 'INVALID_ARGUMENT' } },
    ]);
  });
});

describe('BatchGetSettlementDatesColumnar: terms per instrument key', () => {
  it('a key with a segment or a type is decided with them; a plain key of the same market gets the default', async () => {
    const keys = [
      { ...XTST },
      { ...XTST, segment: 'TRANCHE-A' },
      { ...XNYS, settlementType: 'CASH' },
      { ...XNYS, settlementType: 'SELLERS_OPTION', optionDays: 1 },
    ];
    const res = await sidecar.client.call<Message>('BatchGetSettlementDatesColumnar', {
      tradeDates: [20220325, 20220325, 20240703, 20240703],
      keys,
      keyIndexes: [0, 1, 2, 3],
    });
    expect(res['settlementDates']).toEqual([20220329, 20220328, 20240703, 0]);
    expect(res['statusCodes']).toEqual([0, 0, 0, status.INVALID_ARGUMENT]);
    const ids = res['ruleIds'] as string[];
    expect((res['ruleIndexes'] as number[]).slice(0, 3).map((i) => ids[i])).toEqual([
      'xtst-default-t2',
      'xtst-tranche-a-t1',
      'us-equity-xnys-t1',
    ]);
    expect(res['errors']).toEqual([{ index: 3, code: 'INVALID_ARGUMENT', message: expect.stringContaining('option_days 1 is outside') }]);
  });
});

describe('ExplainSettlementDate and ListRules', () => {
  it('explain shows the type, its source, and the segment precedence', async () => {
    const e = await sidecar.client.call<Message>('ExplainSettlementDate', { tradeDate: '2024-07-03', ...XNYS, settlementType: 'CASH' });
    expect(e['decision']).toMatchObject({ settlementType: 'CASH', settlementDate: '2024-07-03' });
    expect(e['text']).toContain('settlement type CASH: 0 settlement business days after the trade date');
    const s = await sidecar.client.call<Message>('ExplainSettlementDate', { tradeDate: '2022-03-25', ...XTST, segment: 'TRANCHE-B' });
    expect(s['text']).toContain('the segment rule xtst-tranche-b-t1 takes precedence over the market default');
  });

  it("ListRules shows each rule's segment and the types it defines", async () => {
    const res = await sidecar.client.call<{ rules: Message[] }>('ListRules', { market: 'XTST', assetClass: 'EQUITY' });
    expect(res.rules.map((r) => [r['ruleId'], r['segment']])).toEqual([
      ['xtst-default-t2', ''],
      ['xtst-tranche-a-t1', 'TRANCHE-A'],
      ['xtst-tranche-b-t1', 'TRANCHE-B'],
    ]);
    const us = await sidecar.client.call<{ rules: Message[] }>('ListRules', { market: 'XNYS', assetClass: 'EQUITY' });
    expect(us.rules.at(-1)?.['settlementTypes']).toEqual(['CASH', 'NEXT_DAY', 'SELLERS_OPTION', 'WHEN_ISSUED']);
  });
});
