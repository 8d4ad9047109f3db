import { describe, expect, it } from 'vitest';
import { codeOf, decide } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';

// The Asian T+3 → T+2 cutovers and their double settlement days, from the markets' own notices:
// JPX news of 2019-05-14 (T+2 from trade date Tuesday 2019-07-16), ASX T+2 from trade date Monday
// 2016-03-07, SGX T+2 from trade date Monday 2018-12-10. Hong Kong is T+2 throughout. (Korea, withheld:
// test/unit/withheld-kr.test.ts.)

interface Row {
  readonly tradeDate: string;
  readonly settlementDate: string | null;
  readonly doubleSettlementRules: string[];
}

async function transition(market: string, assetClass: string, around: string): Promise<Row[]> {
  const r = await cli([
    'rules',
    'transition',
    '--market',
    market,
    '--asset-class',
    assetClass,
    '--around',
    around,
    '--days',
    '6',
    '--json',
  ]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
}

const CUTOVERS = [
  // market, first T+2 trade date, last T+3 trade date, double settlement day, rule prefix
  ['XTKS', '2019-07-16', '2019-07-12', '2019-07-18', 'jp'], // Monday 2019-07-15 was Marine Day
  ['XASX', '2016-03-07', '2016-03-04', '2016-03-09', 'au'],
  ['XSES', '2018-12-10', '2018-12-07', '2018-12-12', 'sg'],
] as const;

describe('rules transition shows each Asian cutover and its double settlement day', () => {
  for (const [market, first, last, double, prefix] of CUTOVERS) {
    for (const [assetClass, ac] of [
      ['EQUITY', 'equity'],
      ['ETF', 'etf'],
    ] as const) {
      it(`${market} ${assetClass}: ${double} receives the last T+3 (${last}) and the first T+2 (${first}) trades`, async () => {
        const rows = await transition(market, assetClass, first);
        const doubles = rows.filter((x) => x.doubleSettlementRules.length > 0);
        expect(doubles.map((x) => [x.tradeDate, x.settlementDate])).toEqual([
          [last, double],
          [first, double],
        ]);
        const m = market.toLowerCase();
        expect(doubles[0]?.doubleSettlementRules).toEqual([`${prefix}-${ac}-${m}-t2`, `${prefix}-${ac}-${m}-t3`]);
      });
    }
  }

  it('the readable table names the Marine Day holiday inside the Japanese cutover', async () => {
    const r = await cli(['rules', 'transition', '--market', 'XTKS', '--asset-class', 'EQUITY', '--around', '2019-07-16', '--days', '4']);
    expect(r.stdout).toMatch(/2019-07-12 {2}FRI {2}2019-07-18 {2}3 .*DOUBLE SETTLEMENT DAY/);
    expect(r.stdout).toMatch(/2019-07-15 {2}MON .*not a trading day: Marine Day/);
    expect(r.stdout).toMatch(/2019-07-16 {2}TUE {2}2019-07-18 {2}2 .*DOUBLE SETTLEMENT DAY/);
  });
});

describe('rules on each side of the cutovers', () => {
  it.each([
    ['XTKS', '2019-07-11', '2019-07-17', 'jp-equity-xtks-t3'],
    ['XTKS', '2019-07-17', '2019-07-19', 'jp-equity-xtks-t2'],
    ['XASX', '2016-03-03', '2016-03-08', 'au-equity-xasx-t3'],
    ['XASX', '2016-03-08', '2016-03-10', 'au-equity-xasx-t2'],
    ['XSES', '2018-12-06', '2018-12-11', 'sg-equity-xses-t3'],
    ['XSES', '2018-12-11', '2018-12-13', 'sg-equity-xses-t2'],
    ['XHKG', '2016-03-07', '2016-03-09', 'hk-equity-xhkg-t2'],
  ])('%s trade %s settles %s under %s', (market, trade, expected, ruleId) => {
    const d = decide(trade, market);
    expect(d.settlementDate).toBe(expected);
    expect(d.rule.id).toBe(ruleId);
  });

  it.each(['XHKG', 'XTKS', 'XASX', 'XSES'])('%s: a trade date before 2000 has NO rule', (market) => {
    expect(codeOf(() => decide('1999-12-31', market))).toBe('NO_RULE');
    expect(codeOf(() => decide('1999-12-31', market, 'ETF'))).toBe('NO_RULE');
  });

  it('settlement calendars: each market settles on its own CSD calendar', () => {
    expect(decide('2025-06-02', 'XHKG').rule.settlementCalendar.id).toBe('HK-SETTLEMENT');
    expect(decide('2025-06-02', 'XTKS').rule.settlementCalendar.id).toBe('JP-SETTLEMENT');
    expect(decide('2025-06-02', 'XASX').rule.settlementCalendar.id).toBe('AU-SETTLEMENT');
    expect(decide('2025-06-02', 'XSES').rule.settlementCalendar.id).toBe('SG-SETTLEMENT');
  });
});
