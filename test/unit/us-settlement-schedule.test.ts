import { describe, expect, it } from 'vitest';
import { bundled, codeOf, isBusiness, settle as settleOn } from '../support/bundled.js';

const settle = (tradeDate: string, market = 'XNYS', assetClass = 'EQUITY'): string => settleOn(tradeDate, market, assetClass);

describe('US cutovers (SEC Rule 15c6-1 amendments)', () => {
  it.each([
    // 2017-09-05 T+3 -> T+2: 2017-09-07 was the double settlement day (Labor Day 2017-09-04).
    ['2017-08-31', '2017-09-06', 'us-equity-xnys-t3'],
    ['2017-09-01', '2017-09-07', 'us-equity-xnys-t3'],
    ['2017-09-05', '2017-09-07', 'us-equity-xnys-t2'],
    ['2017-09-06', '2017-09-08', 'us-equity-xnys-t2'],
    // 2024-05-28 T+2 -> T+1: 2024-05-29 received Friday 05-24's T+2 and Tuesday 05-28's T+1 trades.
    ['2024-05-23', '2024-05-28', 'us-equity-xnys-t2'],
    ['2024-05-24', '2024-05-29', 'us-equity-xnys-t2'],
    ['2024-05-28', '2024-05-29', 'us-equity-xnys-t1'],
    ['2024-05-29', '2024-05-30', 'us-equity-xnys-t1'],
  ])('trade %s settles %s under %s', (trade, expected, ruleId) => {
    const d = bundled().ruleset.decide(trade, 'EQUITY', 'XNYS');
    expect(d.settlementDate).toBe(expected);
    expect(d.rule.id).toBe(ruleId);
  });

  it.each(['XNYS', 'XNAS', 'ARCX'])('ETFs on %s follow the same cutover', (mic) => {
    expect(settle('2024-05-24', mic, 'ETF')).toBe('2024-05-29');
    expect(settle('2024-05-28', mic, 'ETF')).toBe('2024-05-29');
  });
});

describe('Columbus Day and Veterans Day: trade but do not settle (FINRA UPC schedules)', () => {
  it.each([
    // Columbus Day 2024-10-14 (T+1)
    ['2024-10-10', '2024-10-11'],
    ['2024-10-11', '2024-10-15'],
    ['2024-10-14', '2024-10-15'],
    // Veterans Day 2024-11-11 (Monday, T+1)
    ['2024-11-08', '2024-11-12'],
    ['2024-11-11', '2024-11-12'],
    // Columbus Day 2023-10-09 (T+2)
    ['2023-10-05', '2023-10-10'],
    ['2023-10-06', '2023-10-11'],
    ['2023-10-09', '2023-10-11'],
    // Veterans Day 2023 fell on Saturday: the Fed did not move it, Friday 2023-11-10 settled (T+2)
    ['2023-11-08', '2023-11-10'],
    ['2023-11-09', '2023-11-13'],
    // Veterans Day 2018 fell on Sunday, observed Monday 2018-11-12 (T+2)
    ['2018-11-08', '2018-11-13'],
    ['2018-11-09', '2018-11-14'],
    ['2018-11-12', '2018-11-14'],
    // Columbus Day 2025-10-13 and Veterans Day 2025-11-11 (T+1)
    ['2025-10-10', '2025-10-14'],
    ['2025-10-13', '2025-10-14'],
    ['2025-11-10', '2025-11-12'],
    ['2025-11-11', '2025-11-12'],
  ])('trade %s settles %s', (trade, expected) => {
    expect(settle(trade)).toBe(expected);
  });

  it('Columbus Day is a trading day but not a settlement day', () => {
    expect(isBusiness('XNYS', '2024-10-14')).toBe(true);
    expect(isBusiness('US-SETTLEMENT', '2024-10-14')).toBe(false);
    expect(isBusiness('XNYS', '2024-11-11')).toBe(true);
    expect(isBusiness('US-SETTLEMENT', '2024-11-11')).toBe(false);
  });
});

describe('regular holidays close both trading and settlement', () => {
  it.each([
    // Good Friday 2024-03-29
    ['2024-03-27', '2024-04-01'],
    ['2024-03-28', '2024-04-02'],
    // Good Friday 2025-04-18 (T+1)
    ['2025-04-17', '2025-04-21'],
    // Thanksgiving 2024-11-28 (T+1), 2023-11-23 (T+2)
    ['2024-11-27', '2024-11-29'],
    ['2023-11-21', '2023-11-24'],
    ['2023-11-22', '2023-11-27'],
    // Year end: Christmas 2024-12-25, New Year 2025-01-01 (T+1)
    ['2024-12-24', '2024-12-26'],
    ['2024-12-31', '2025-01-02'],
    // New Year's Day 2022 fell on Saturday: not observed, 2021-12-31 traded and settled (T+2)
    ['2021-12-30', '2022-01-03'],
    ['2021-12-29', '2021-12-31'],
    // Christmas 2021 fell on Saturday: NYSE closed Friday 2021-12-24 (T+2)
    ['2021-12-22', '2021-12-27'],
    ['2021-12-23', '2021-12-28'],
    // Independence Day 2026 falls on Saturday: NYSE closed Friday 2026-07-03 (T+1)
    ['2026-07-02', '2026-07-06'],
  ])('trade %s settles %s', (trade, expected) => {
    expect(settle(trade)).toBe(expected);
  });

  it('Good Friday is not a trading day', () => {
    expect(codeOf(() => settle('2024-03-29'))).toBe('NOT_A_TRADING_DAY');
  });
});

describe('Juneteenth', () => {
  it('2021: Saturday, not moved by the Reserve Banks; Friday 2021-06-18 was a settlement day', () => {
    expect(isBusiness('US-SETTLEMENT', '2021-06-18')).toBe(true);
    expect(settle('2021-06-16')).toBe('2021-06-18');
    expect(settle('2021-06-17')).toBe('2021-06-21');
  });

  it('2022: Sunday, observed Monday 2022-06-20 by NYSE and the Fed', () => {
    expect(isBusiness('XNYS', '2022-06-20')).toBe(false);
    expect(isBusiness('US-SETTLEMENT', '2022-06-20')).toBe(false);
    expect(settle('2022-06-16')).toBe('2022-06-21');
    expect(settle('2022-06-17')).toBe('2022-06-22');
  });

  it('2024: Wednesday 2024-06-19 neither trades nor settles', () => {
    expect(settle('2024-06-18')).toBe('2024-06-20');
  });
});

describe('ad-hoc NYSE closures stop trading, not settlement', () => {
  it('a trade on 2025-01-09 is NOT_A_TRADING_DAY', () => {
    expect(codeOf(() => settle('2025-01-09'))).toBe('NOT_A_TRADING_DAY');
  });

  it('allowed explicitly, a 2025-01-09 trade settles the next settlement day', () => {
    expect(bundled().ruleset.decide('2025-01-09', 'EQUITY', 'XNYS', true).settlementDate).toBe('2025-01-10');
  });

  it('a 2025-01-08 trade settled on 2025-01-09 (DTC open)', () => {
    expect(settle('2025-01-08')).toBe('2025-01-09');
  });

  it.each([
    ['2001-09-10', '2001-09-13'], // T+3 across the September 11 closures
    ['2012-10-26', '2012-10-31'], // T+3 across Hurricane Sandy
    ['2018-12-04', '2018-12-06'], // T+2 across the Bush day of mourning
    ['2007-01-01', null],
  ])('trade %s settles %s', (trade, expected) => {
    if (expected === null) expect(codeOf(() => settle(trade))).toBe('NOT_A_TRADING_DAY');
    else expect(settle(trade)).toBe(expected);
  });
});
