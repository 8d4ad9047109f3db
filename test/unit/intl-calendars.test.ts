import { describe, expect, it } from 'vitest';
import { bundled, codeOf, decide, isBusiness, settle } from '../support/bundled.js';

// Every expected date below comes from a published schedule or a checked holiday fact (named in the
// comment next to it), not from running the code under test.

describe('pack', () => {
  it('compiles the international calendars over 2000-2035', () => {
    const { ruleset } = bundled();
    for (const id of [
      'XTSE',
      'CA-SETTLEMENT',
      'XMEX',
      'MX-SETTLEMENT',
      'XLON',
      'UK-SETTLEMENT',
      'XPAR',
      'XAMS',
      'XBRU',
      'TARGET2',
      'XETR',
      'XSWX',
      'CH-SETTLEMENT',
    ]) {
      const cal = ruleset.calendars.get(id);
      expect(cal, id).toBeDefined();
      expect(cal?.fromText, id).toBe('2000-01-01');
      expect(cal?.toText, id).toBe('2035-12-31');
    }
  });
});

describe('Canada: XTSE trading calendar (TMX holiday schedules)', () => {
  it.each([
    // TMX holiday operating schedule of 2021-11-30: closed in lieu of Christmas (Sat), Boxing Day (Sun)
    // and New Year's Day 2022 (Sat)
    ['2021-12-27', false],
    ['2021-12-28', false],
    ['2022-01-03', false],
    ['2021-12-24', true], // early close only (TMX Ops Notice 2021-050)
    ['2021-12-29', true],
    // 2022-2023 TSX holidays (TSX schedule as listed by FÉRIQUE): Christmas 2022 on a Sunday
    ['2022-12-26', false],
    ['2022-12-27', false],
    ['2022-12-28', true],
    ['2023-01-02', false],
    ['2023-02-20', false], // Family Day
    ['2023-04-07', false], // Good Friday
    ['2023-04-10', true], // Easter Monday: TSX open
    ['2023-05-22', false], // Victoria Day
    ['2023-06-26', true], // Quebec national holiday (observed): TSX open
    ['2023-07-03', false], // Canada Day (Saturday) in lieu
    ['2023-08-07', false], // Civic Holiday
    ['2023-09-04', false], // Labour Day
    ['2023-10-09', false], // Thanksgiving
    ['2023-11-13', true], // Remembrance Day (observed): TSX open
    ['2023-12-25', false],
    ['2023-12-26', false],
    // Family Day starts in 2008: 2007-02-19 (third Monday) was a trading day, 2008-02-18 was not
    ['2007-02-19', true],
    ['2008-02-18', false],
    // 2001-09-12: TSE closed after the attacks; 2001-09-11 opened and halted at about 10:40
    ['2001-09-11', true],
    ['2001-09-12', false],
    ['2001-09-13', true],
  ])('XTSE %s business day: %s', (date, open) => {
    expect(isBusiness('XTSE', date)).toBe(open);
  });

  it('a trade on Good Friday is NOT_A_TRADING_DAY', () => {
    expect(codeOf(() => settle('2023-04-07', 'XTSE'))).toBe('NOT_A_TRADING_DAY');
  });
});

describe('Canada: CDS settlement days that are TSX trading days', () => {
  it.each([
    // Remembrance Day: bond/settlement holiday, moved to Monday from a weekend (IIAC 2017 schedule)
    ['2017-11-13'],
    ['2023-11-13'],
    ['2024-11-11'],
    // National Day for Truth and Reconciliation (Payments Canada closed from 2021)
    ['2021-09-30'],
    ['2022-09-30'],
    ['2024-09-30'],
  ])('%s trades on XTSE but does not settle', (date) => {
    expect(isBusiness('XTSE', date)).toBe(true);
    expect(isBusiness('CA-SETTLEMENT', date)).toBe(false);
  });

  it('Saturday 2017-11-11 is not moved onto the trading calendar, only onto settlement', () => {
    expect(isBusiness('XTSE', '2017-11-13')).toBe(true);
    expect(isBusiness('CA-SETTLEMENT', '2017-11-10')).toBe(true);
  });

  it.each([
    // TMX Ops Notice 2022-021: Friday 2022-09-30 is a banking holiday only (T+2)
    ['2022-09-28', '2022-10-03'],
    ['2022-09-29', '2022-10-04'],
    ['2022-09-30', '2022-10-04'],
    // Remembrance Day Monday 2024-11-11 (T+1)
    ['2024-11-08', '2024-11-12'],
    ['2024-11-11', '2024-11-12'],
    // NDTR Monday 2024-09-30 (T+1)
    ['2024-09-27', '2024-10-01'],
    // Remembrance Day observed Monday 2017-11-13 (T+2)
    ['2017-11-09', '2017-11-14'],
    ['2017-11-10', '2017-11-15'],
  ])('XTSE trade %s settles %s', (trade, expected) => {
    expect(settle(trade, 'XTSE')).toBe(expected);
  });
});

describe('Canada: settlement schedules around TSX holidays', () => {
  it.each([
    // CNSX Bulletin 2009-1205, 2010 holiday settlement schedule (T+3, CDS)
    ['2009-12-29', '2010-01-04'],
    ['2009-12-30', '2010-01-05'],
    ['2009-12-31', '2010-01-06'],
    ['2010-02-10', '2010-02-16'], // Family Day 2010-02-15
    ['2010-02-11', '2010-02-17'],
    ['2010-02-12', '2010-02-18'],
    ['2010-03-30', '2010-04-05'], // Good Friday 2010-04-02
    ['2010-03-31', '2010-04-06'],
    ['2010-04-01', '2010-04-07'],
    ['2010-05-19', '2010-05-25'], // Victoria Day 2010-05-24
    ['2010-05-21', '2010-05-27'],
    ['2010-06-28', '2010-07-02'], // Canada Day 2010-07-01
    ['2010-06-29', '2010-07-05'],
    ['2010-06-30', '2010-07-06'],
    ['2010-07-28', '2010-08-03'], // Civic Day 2010-08-02
    ['2010-07-30', '2010-08-05'],
    ['2010-09-01', '2010-09-07'], // Labour Day 2010-09-06
    ['2010-09-03', '2010-09-09'],
    ['2010-10-06', '2010-10-12'], // Thanksgiving 2010-10-11
    // TMX Ops Notice 2021-017: Good Friday 2021-04-02 (T+2)
    ['2021-03-31', '2021-04-05'],
    ['2021-04-01', '2021-04-06'],
    // TMX Ops Notice 2023-025: Labour Day 2023-09-04 (T+2)
    ['2023-08-31', '2023-09-05'],
    ['2023-09-01', '2023-09-06'],
  ])('XTSE trade %s settles %s', (trade, expected) => {
    expect(settle(trade, 'XTSE')).toBe(expected);
  });
});

describe('Canada: cutovers (NI 24-101 amendments)', () => {
  it.each([
    // 2017-09-05 T+3 -> T+2 (TSX Staff Notice 2017-0002); Labour Day 2017-09-04
    ['2017-08-31', '2017-09-06', 'ca-equity-xtse-t3'],
    ['2017-09-01', '2017-09-07', 'ca-equity-xtse-t3'],
    ['2017-09-05', '2017-09-07', 'ca-equity-xtse-t2'],
    // 2024-05-27 T+2 -> T+1 (TMX Ops Notice 2023-045): 2024-05-28 is a double settlement day
    ['2024-05-23', '2024-05-27', 'ca-equity-xtse-t2'],
    ['2024-05-24', '2024-05-28', 'ca-equity-xtse-t2'],
    ['2024-05-27', '2024-05-28', 'ca-equity-xtse-t1'],
    ['2024-05-28', '2024-05-29', 'ca-equity-xtse-t1'],
  ])('trade %s settles %s under %s', (trade, expected, ruleId) => {
    const d = decide(trade, 'XTSE');
    expect(d.settlementDate).toBe(expected);
    expect(d.rule.id).toBe(ruleId);
  });

  it('ETFs follow the same cutover', () => {
    expect(settle('2024-05-24', 'XTSE', 'ETF')).toBe('2024-05-28');
    expect(settle('2024-05-27', 'XTSE', 'ETF')).toBe('2024-05-28');
    expect(decide('2017-09-01', 'XTSE', 'ETF').rule.id).toBe('ca-etf-xtse-t3');
  });

  it('a trade date before the first rule is NO_RULE', () => {
    expect(codeOf(() => settle('1999-12-31', 'XTSE'))).toBe('NO_RULE');
  });
});

describe('Mexico: XMEX and Indeval (CNBV non-business days)', () => {
  it.each([
    ['2013-12-12', false], // Bank employees' day, CNBV 2013 calendar
    ['2013-12-13', true],
    ['2014-04-17', false], // Holy Thursday, CNBV 2014 calendar
    ['2014-04-18', false], // Good Friday
    ['2014-04-21', true],
    ['2015-01-01', false],
    ['2015-01-02', true],
    ['2015-11-02', false], // Day of the Dead
    ['2016-09-16', false], // Independence Day
    ['2017-11-20', false], // Revolution Day (third Monday of November)
    ['2024-10-01', false], // presidential inauguration, CNBV 2024 calendar
    ['2024-10-02', true],
  ])('XMEX %s business day: %s', (date, open) => {
    expect(isBusiness('XMEX', date)).toBe(open);
    expect(isBusiness('MX-SETTLEMENT', date)).toBe(open);
  });

  it.each([
    // Clearstream Banking, 2024-04-16: last T+2 trade date Friday 2024-05-24, first T+1 trade date
    // Monday 2024-05-27, double settlement date Tuesday 2024-05-28
    ['2024-05-24', '2024-05-28', 'mx-equity-xmex-t2'],
    ['2024-05-27', '2024-05-28', 'mx-equity-xmex-t1'],
    ['2024-05-28', '2024-05-29', 'mx-equity-xmex-t1'],
    // T+2 from trade date 2017-09-05
    ['2017-09-05', '2017-09-07', 'mx-equity-xmex-t2'],
    // the inauguration holiday 2024-10-01 (T+1)
    ['2024-09-30', '2024-10-02', 'mx-equity-xmex-t1'],
  ])('trade %s settles %s under %s', (trade, expected, ruleId) => {
    const d = decide(trade, 'XMEX');
    expect(d.settlementDate).toBe(expected);
    expect(d.rule.id).toBe(ruleId);
  });

  it('ETFs follow the same cutover', () => {
    expect(settle('2024-05-24', 'XMEX', 'ETF')).toBe('2024-05-28');
    expect(settle('2024-05-27', 'XMEX', 'ETF')).toBe('2024-05-28');
  });

  it('trade dates before 2017-09-05 have NO rule', () => {
    expect(codeOf(() => settle('2017-09-04', 'XMEX'))).toBe('NO_RULE');
    expect(codeOf(() => settle('2010-06-01', 'XMEX', 'ETF'))).toBe('NO_RULE');
  });
});

describe('UK: XLON and CREST (England and Wales bank holidays)', () => {
  it.each([
    ['2002-05-27', true], // spring bank holiday moved into June for the Golden Jubilee
    ['2002-06-03', false],
    ['2002-06-04', false],
    ['2011-04-29', false], // royal wedding
    ['2012-05-28', true],
    ['2012-06-04', false],
    ['2012-06-05', false], // Diamond Jubilee
    ['2020-05-04', true], // early May bank holiday moved to VE Day
    ['2020-05-08', false],
    ['2021-12-27', false], // Christmas (Saturday) substitute
    ['2021-12-28', false], // Boxing Day (Sunday) substitute
    ['2022-01-03', false], // New Year's Day (Saturday) substitute
    ['2022-05-30', true],
    ['2022-06-02', false],
    ['2022-06-03', false], // Platinum Jubilee
    ['2022-09-19', false], // state funeral of Queen Elizabeth II
    ['2022-09-20', true],
    ['2022-12-26', false], // Christmas 2022 on a Sunday: Boxing Day Monday, substitute Tuesday
    ['2022-12-27', false],
    ['2023-05-01', false],
    ['2023-05-08', false], // coronation
    ['2026-12-28', false], // Boxing Day 2026 (Saturday) substitute
    ['2026-12-24', true], // early close only
  ])('XLON %s business day: %s', (date, open) => {
    expect(isBusiness('XLON', date)).toBe(open);
    expect(isBusiness('UK-SETTLEMENT', date)).toBe(open);
  });

  it.each([
    // the state funeral 2022-09-19 (T+2)
    ['2022-09-15', '2022-09-20'],
    ['2022-09-16', '2022-09-21'],
    // Christmas 2026: Friday 25th and Monday 28th closed (T+2)
    ['2026-12-23', '2026-12-29'],
    ['2026-12-24', '2026-12-30'],
  ])('XLON trade %s settles %s', (trade, expected) => {
    expect(settle(trade, 'XLON')).toBe(expected);
  });
});

describe('Euronext: XPAR, XAMS, XBRU', () => {
  it.each(['XPAR', 'XAMS', 'XBRU'])('%s: harmonised holidays, no weekend substitutes', (mic) => {
    for (const closed of ['2024-01-01', '2024-03-29', '2024-04-01', '2024-05-01', '2024-12-25', '2024-12-26']) {
      expect(isBusiness(mic, closed), closed).toBe(false);
    }
    // Whit Monday, Ascension and Christmas Eve trade since 2002
    for (const open of ['2024-05-09', '2024-05-20', '2024-12-24', '2024-12-31', '2021-12-27', '2022-01-03']) {
      expect(isBusiness(mic, open), open).toBe(true);
    }
    // 2001-12-31 closed (euro cash changeover), Whit Monday 2000 closed
    expect(isBusiness(mic, '2001-12-31')).toBe(false);
    expect(isBusiness(mic, '2000-06-12')).toBe(false);
  });

  it('national holidays of 2000-2001 (exchange_calendars) and none after', () => {
    expect(isBusiness('XPAR', '2000-07-14')).toBe(false);
    expect(isBusiness('XPAR', '2025-07-14')).toBe(true);
    expect(isBusiness('XAMS', '2001-04-30')).toBe(false);
    expect(isBusiness('XBRU', '2000-07-21')).toBe(false);
    expect(isBusiness('XBRU', '2025-07-21')).toBe(true);
  });
});

describe('TARGET2 (ECB closing days)', () => {
  it.each([
    ['2001-12-31', false], // 2001 only
    ['2002-12-31', true],
    ['2000-12-26', false],
    ['2024-05-01', false],
    ['2024-05-20', true], // Whit Monday
    ['2024-12-24', true],
    ['2024-12-31', true],
    ['2027-12-24', true], // Christmas 2027 on a Saturday is not moved
    ['2027-12-27', true],
  ])('TARGET2 %s business day: %s', (date, open) => {
    expect(isBusiness('TARGET2', date)).toBe(open);
  });
});

describe('Germany: XETR trading calendar (Xetra trading calendars)', () => {
  it.each([
    ['2000-06-12', true], // Whit Monday 2000 traded
    ['2000-10-03', false], // no trading on the 10th Unity Day
    ['2007-05-28', false], // Whit Monday = US Memorial Day
    ['2014-10-03', false], // Unity Day closed 2014-2021
    ['2017-10-31', false], // Reformation Day, 500th anniversary
    ['2019-06-10', false], // Whit Monday closed 2015-2021
    ['2019-10-03', false],
    ['2021-05-24', false],
    ['2022-06-06', true], // Whit Monday and Unity Day trade again from 2022
    ['2022-10-03', true],
    ['2025-06-09', true],
    ['2025-10-03', true],
    ['2025-12-24', false], // Christmas Eve
    ['2025-12-31', false], // New Year's Eve
    ['2026-01-02', true],
  ])('XETR %s business day: %s', (date, open) => {
    expect(isBusiness('XETR', date)).toBe(open);
  });

  it.each([
    // Xetra closed on Whit Monday 2021, TARGET2 open: a Friday T+2 trade settles on Tuesday
    ['2021-05-21', '2021-05-25'],
    // Christmas Eve 2025 is a TARGET2 day though Xetra is closed (T+2)
    ['2025-12-23', '2025-12-29'],
  ])('XETR trade %s settles %s', (trade, expected) => {
    expect(settle(trade, 'XETR')).toBe(expected);
  });

  it('Christmas Eve is not a Xetra trading day', () => {
    expect(codeOf(() => settle('2025-12-24', 'XETR'))).toBe('NOT_A_TRADING_DAY');
  });
});

describe('Switzerland: XSWX and SIX SIS', () => {
  it('2022: six weekday closures (the others fell on weekends)', () => {
    const weekdayClosures: string[] = [];
    for (let d = new Date(Date.UTC(2022, 0, 1)); d.getUTCFullYear() === 2022; d.setUTCDate(d.getUTCDate() + 1)) {
      const text = d.toISOString().slice(0, 10);
      const wd = d.getUTCDay();
      if (wd !== 0 && wd !== 6 && !isBusiness('XSWX', text)) weekdayClosures.push(text);
    }
    // Good Friday, Easter Monday, Ascension, Whit Monday, National Day, St Stephen's Day
    expect(weekdayClosures).toEqual(['2022-04-15', '2022-04-18', '2022-05-26', '2022-06-06', '2022-08-01', '2022-12-26']);
  });

  it.each([
    ['2024-01-02', false, false], // Berchtoldstag
    ['2024-05-01', false, false], // Labour Day
    ['2024-05-09', false, false], // Ascension
    ['2024-05-20', false, false], // Whit Monday
    ['2024-08-01', false, false], // National Day
    ['2024-12-24', false, true], // exchange closed, SIX SIS settles
    ['2024-12-31', false, true],
    ['2024-12-27', true, true],
  ])('%s: XSWX %s, CH-SETTLEMENT %s', (date, trading, settling) => {
    expect(isBusiness('XSWX', date)).toBe(trading);
    expect(isBusiness('CH-SETTLEMENT', date)).toBe(settling);
  });

  it('a T+2 trade of Monday 2025-12-22 settles on Christmas Eve', () => {
    expect(settle('2025-12-22', 'XSWX')).toBe('2025-12-24');
  });
});

describe('Europe: T+2 from 2014-10-06, T+1 from 2027-10-11', () => {
  const MICS = ['XLON', 'XPAR', 'XAMS', 'XBRU', 'XETR', 'XSWX'];

  it.each(MICS)('%s: Tuesday 2027-10-12 receives both the last T+2 and the first T+1 trades', (mic) => {
    for (const ac of ['EQUITY', 'ETF']) {
      const last = decide('2027-10-08', mic, ac);
      const first = decide('2027-10-11', mic, ac);
      expect(last.settlementDate).toBe('2027-10-12');
      expect(last.rule.cycleDays).toBe(2);
      expect(first.settlementDate).toBe('2027-10-12');
      expect(first.rule.cycleDays).toBe(1);
      expect(decide('2027-10-12', mic, ac).settlementDate).toBe('2027-10-13');
    }
  });

  it.each(MICS)('%s: T+2 starts on trade date 2014-10-06; earlier trade dates have NO rule', (mic) => {
    // 2014-10-06 trades settled on Wednesday 2014-10-08 (SIX and BX Swiss T+2 notices)
    expect(settle('2014-10-06', mic)).toBe('2014-10-08');
    expect(settle('2014-10-06', mic, 'ETF')).toBe('2014-10-08');
    expect(codeOf(() => settle('2014-10-03', mic))).toBe('NO_RULE');
    expect(codeOf(() => settle('2014-10-03', mic, 'ETF'))).toBe('NO_RULE');
  });

  it('settlement calendars: euro markets on TARGET2, London on CREST, Zurich on SIX SIS', () => {
    expect(decide('2025-06-02', 'XPAR').rule.settlementCalendar.id).toBe('TARGET2');
    expect(decide('2025-06-02', 'XAMS').rule.settlementCalendar.id).toBe('TARGET2');
    expect(decide('2025-06-02', 'XBRU').rule.settlementCalendar.id).toBe('TARGET2');
    expect(decide('2025-06-02', 'XETR').rule.settlementCalendar.id).toBe('TARGET2');
    expect(decide('2025-06-02', 'XLON').rule.settlementCalendar.id).toBe('UK-SETTLEMENT');
    expect(decide('2025-06-02', 'XSWX').rule.settlementCalendar.id).toBe('CH-SETTLEMENT');
  });

  it('Easter 2028 on TARGET2 (Good Friday 04-14, Easter Monday 04-17), T+1', () => {
    expect(settle('2028-04-13', 'XPAR')).toBe('2028-04-18');
  });
});
