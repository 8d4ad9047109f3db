import { describe, expect, it } from 'vitest';
import { bundled, codeOf, isBusiness } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';

// US fixed income on XOFF. Expected dates are counted by hand from the cited notices.
const decide = (trade: string, assetClass: string, allow = false) => bundled().ruleset.decide(trade, assetClass, 'XOFF', allow);
const settle = (trade: string, assetClass: string): string => decide(trade, assetClass).settlementDate;
const CORP_MUNI = ['US_CORP_BOND', 'US_MUNI_BOND'];

describe('cycles: SEC Rule 15c6-1 (corporates), MSRB Rules G-12/G-15 (munis), T+1 convention (Treasuries)', () => {
  it.each(
    CORP_MUNI.flatMap((ac) => [
      // T+3 -> T+2 on trade date 2017-09-05 (Labor Day 2017-09-04 closed)
      [ac, '2017-08-31', '2017-09-06', 3],
      [ac, '2017-09-01', '2017-09-07', 3],
      [ac, '2017-09-05', '2017-09-07', 2],
      [ac, '2017-09-06', '2017-09-08', 2],
      // T+2 -> T+1 on trade date 2024-05-28 (Memorial Day 2024-05-27 closed)
      [ac, '2024-05-23', '2024-05-28', 2],
      [ac, '2024-05-24', '2024-05-29', 2],
      [ac, '2024-05-28', '2024-05-29', 1],
      [ac, '2024-05-29', '2024-05-30', 1],
    ]),
  )('%s trade %s settles %s (T+%i)', (ac, trade, expected, cycle) => {
    const d = decide(trade, ac);
    expect(d.settlementDate).toBe(expected);
    expect(d.rule.cycleDays).toBe(cycle);
  });

  it.each([
    ['2000-01-03', '2000-01-04'],
    ['2017-09-01', '2017-09-05'],
    ['2024-05-24', '2024-05-28'],
  ])('US_TREASURY trade %s settles %s (T+1 throughout)', (trade, expected) => expect(settle(trade, 'US_TREASURY')).toBe(expected));
});

describe('settlement calendars follow SIFMA settlement advice', () => {
  it('an early-close Good Friday trades but does not settle (SIFMA 2012-03-21, 2015-03-09, 2026-03-20)', () => {
    for (const id of ['US-TREASURY-SETTLEMENT', 'US-CORP-MUNI-SETTLEMENT']) expect(isBusiness(id, '2026-04-03')).toBe(false);
    expect(settle('2026-04-02', 'US_TREASURY')).toBe('2026-04-06');
    expect(settle('2026-04-02', 'US_CORP_BOND')).toBe('2026-04-06');
    expect(settle('2021-04-01', 'US_MUNI_BOND')).toBe('2021-04-06'); // T+2 across Good Friday 2021-04-02
  });

  it.each([
    ['2012-04-06', '2012-04-10'],
    ['2015-04-03', '2015-04-07'],
    ['2021-04-02', '2021-04-06'],
    ['2026-04-03', '2026-04-07'],
  ])('Treasuries traded on early-close Good Friday %s settle T+2, on %s (SIFMA)', (trade, expected) => {
    const d = decide(trade, 'US_TREASURY');
    expect(d.settlementDate).toBe(expected);
    expect(d.rule.cycleDays).toBe(2);
  });

  it('corporates and munis traded on early-close Good Friday 2026-04-03 settle T+1 on Monday', () => {
    expect(settle('2026-04-03', 'US_CORP_BOND')).toBe('2026-04-06');
    expect(settle('2026-04-03', 'US_MUNI_BOND')).toBe('2026-04-06');
  });

  it('2018-12-05 (bond market closed, DTC open): corp/muni settled, Treasuries moved to 12-06 (SIFMA 2018-12-01)', () => {
    expect(isBusiness('US-CORP-MUNI-SETTLEMENT', '2018-12-05')).toBe(true);
    expect(isBusiness('US-TREASURY-SETTLEMENT', '2018-12-05')).toBe(false);
    expect(settle('2018-12-03', 'US_CORP_BOND')).toBe('2018-12-05');
    expect(settle('2018-12-03', 'US_MUNI_BOND')).toBe('2018-12-05');
    expect(settle('2018-12-04', 'US_TREASURY')).toBe('2018-12-06');
    for (const ac of ['US_TREASURY', ...CORP_MUNI]) expect(codeOf(() => decide('2018-12-05', ac))).toBe('NOT_A_TRADING_DAY');
  });

  it('2012-10-30 (Sandy full close) stayed a good settlement day (SIFMA 2012-10-29)', () => {
    expect(settle('2012-10-29', 'US_TREASURY')).toBe('2012-10-30');
    expect(settle('2012-10-26', 'US_CORP_BOND')).toBe('2012-10-31');
    expect(codeOf(() => decide('2012-10-30', 'US_TREASURY'))).toBe('NOT_A_TRADING_DAY');
  });

  it('2001-09-17: Treasuries traded that day settle T+5 (BMA, 2001-09-14)', () => {
    expect(codeOf(() => decide('2001-09-11', 'US_TREASURY'))).toBe('NOT_A_TRADING_DAY');
    expect(settle('2001-09-14', 'US_TREASURY')).toBe('2001-09-17');
    expect(settle('2001-09-17', 'US_TREASURY')).toBe('2001-09-24');
    expect(settle('2001-09-18', 'US_TREASURY')).toBe('2001-09-19');
  });

  it('Columbus Day is not a bond trading day (unlike XNYS) and not a settlement day', () => {
    expect(codeOf(() => decide('2024-10-14', 'US_TREASURY'))).toBe('NOT_A_TRADING_DAY');
    expect(settle('2024-10-11', 'US_TREASURY')).toBe('2024-10-15');
    expect(settle('2024-10-11', 'US_CORP_BOND')).toBe('2024-10-15');
  });

  it('2025-01-09 (bond early close, NYSE closed) is a bond trading and settlement day', () => {
    expect(settle('2025-01-08', 'US_MUNI_BOND')).toBe('2025-01-09');
    expect(settle('2025-01-09', 'US_CORP_BOND')).toBe('2025-01-10');
  });

  it('Independence Day 2026 on a Saturday: SIFMA closes Friday 07-03, so nothing settles then', () => {
    expect(settle('2026-07-02', 'US_TREASURY')).toBe('2026-07-06');
  });
});

describe('horizon: nothing is answered past the last SIFMA year', () => {
  it('the last T+1 trade date inside the horizon settles; the next needs 2028 and is CALENDAR_OUT_OF_RANGE', () => {
    expect(settle('2027-12-30', 'US_TREASURY')).toBe('2027-12-31');
    for (const ac of ['US_TREASURY', ...CORP_MUNI]) expect(codeOf(() => decide('2027-12-31', ac))).toBe('CALENDAR_OUT_OF_RANGE');
    expect(codeOf(() => decide('2028-01-03', 'US_TREASURY'))).toBe('CALENDAR_OUT_OF_RANGE');
  });
});

describe('tplus rules transition on XOFF', () => {
  it.each([
    ['US_CORP_BOND', '2017-09-05', '2017-09-01', '2017-09-07'],
    ['US_MUNI_BOND', '2017-09-05', '2017-09-01', '2017-09-07'],
    ['US_CORP_BOND', '2024-05-28', '2024-05-24', '2024-05-29'],
    ['US_MUNI_BOND', '2024-05-28', '2024-05-24', '2024-05-29'],
  ])('%s around %s: %s and the cutover day both settle on %s', async (ac, around, before, day) => {
    const r = await cli(['rules', 'transition', '--market', 'XOFF', '--asset-class', ac, '--around', around, '--days', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tradeDate: string; settlementDate: string | null; doubleSettlementRules: string[] });
    const doubles = rows.filter((x) => x.doubleSettlementRules.length > 0).map((x) => [x.tradeDate, x.settlementDate]);
    expect(doubles).toEqual([
      [before, day],
      [around, day],
    ]);
  });
});
