import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDecisionError } from '@tplus/core';
import { formatDay, parseDay } from '@tplus/core';
import { bundled, BUNDLED_VERSION } from '../support/bundled.js';
import { startTestSidecar, TestClient, type Message, type TestSidecar } from './sidecar-harness.js';

let sidecar: TestSidecar;
beforeAll(async () => {
  sidecar = await startTestSidecar();
});
afterAll(async () => {
  await sidecar.stop();
});

const KEYS = [
  { assetClass: 'EQUITY', market: 'XNYS' },
  { assetClass: 'ETF', market: 'XNAS' },
  { assetClass: 'EQUITY', market: 'ARCX' },
  { assetClass: 'EQUITY', market: 'QQQQ' },
] as const;
const BAD_DATES = ['garbage', '2024-02-30', '0000-01-01', '', '2023-02-29', '1999-12-31', '2036-06-01', '２０２４-01-01'];
const FIRST = parseDay('2015-01-01');

/** Item i: mostly valid trades over ~11 years and three markets; every 7th a bad date, every 11th an unknown market. */
function item(i: number): { tradeDate: string; assetClass: string; market: string } {
  const key = i % 11 === 0 ? KEYS[3] : (KEYS[i % 3] ?? KEYS[0]);
  const tradeDate = i % 7 === 0 ? (BAD_DATES[i % BAD_DATES.length] as string) : formatDay(FIRST + ((i * 37) % 4000));
  return { tradeDate, ...key };
}

/** What the core decides in-process for the same request: a settlement date or an error code. */
function expected(req: { tradeDate: string; assetClass: string; market: string }): string {
  try {
    return bundled().ruleset.decide(req.tradeDate, req.assetClass, req.market).settlementDate;
  } catch (err) {
    if (isDecisionError(err)) return err.code;
    throw err;
  }
}

describe.each(['tcp', 'unix'] as const)('a 10,000-item batch with bad items interleaved, over %s', (transport) => {
  let client: TestClient;
  beforeAll(() => {
    client = new TestClient(sidecar.addresses[transport]);
  });
  afterAll(() => client.close());

  it('row-wise: every result in request order equals the in-process decision or error', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => item(i));
    const res = await client.call<{ results: Message[] }>('BatchGetSettlementDates', { items });
    expect(res.results).toHaveLength(10_000);
    const got = res.results.map((r) =>
      r['result'] === 'decision' ? (r['decision'] as Message)['settlementDate'] : (r['error'] as Message)['code'],
    );
    const want = items.map(expected);
    expect(got).toEqual(want);
    const errors = want.filter((w) => !/^\d{4}-/.test(w)).length;
    expect(errors).toBeGreaterThan(1_500);
    expect(new Set(want)).toContain('NOT_A_TRADING_DAY');
  });

  it('columnar: the same decisions as packed YYYYMMDD integers, errors listed once', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => item(i)).map((r, i) => ({
      ...r,
      ymd: i % 7 === 0 ? ([20240230, 0, 99999999, 20231301][i % 4] ?? 0) : Number(r.tradeDate.replace(/-/g, '')),
    }));
    const res = await client.call<Message>('BatchGetSettlementDatesColumnar', {
      tradeDates: rows.map((r) => r.ymd),
      keys: KEYS,
      keyIndexes: rows.map((r) => KEYS.findIndex((k) => k.market === r.market && k.assetClass === r.assetClass)),
    });
    const dates = res['settlementDates'] as number[];
    const codes = res['statusCodes'] as number[];
    const errors = res['errors'] as { index: number; code: string }[];
    const errorAt = new Map(errors.map((e) => [e.index, e.code]));
    rows.forEach((r, i) => {
      const want = i % 7 === 0 ? 'INVALID_DATE' : expected(r);
      const got = codes[i] === 0 ? formatDay(parseDay(String(dates[i]).replace(/^(\d{4})(\d\d)(\d\d)$/, '$1-$2-$3'))) : errorAt.get(i);
      expect(got, `item ${i}`).toBe(want);
    });
    expect(errors.length).toBe(codes.filter((c) => c !== 0).length);
    expect(res['rulesetVersion']).toBe(BUNDLED_VERSION);
  });
});
