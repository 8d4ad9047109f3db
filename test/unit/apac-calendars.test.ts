import { describe, expect, it } from 'vitest';
import { bundled, codeOf, isBusiness, settle } from '../support/bundled.js';

// Asia-Pacific trading and settlement calendars of the bundled pack. Every expected value comes from a
// published schedule, a holiday law or an exchange announcement named next to it, not from the code.

/** The weekdays of `year` that calendar `id` closes, in order. */
function closedWeekdays(id: string, year: number): string[] {
  const closed: string[] = [];
  for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
    const text = d.toISOString().slice(0, 10);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !isBusiness(id, text)) closed.push(text);
  }
  return closed;
}

describe('pack', () => {
  it.each([
    ['XHKG', '2035-12-31'],
    ['HK-SETTLEMENT', '2035-12-31'],
    ['XTKS', '2035-12-31'],
    ['JP-SETTLEMENT', '2035-12-31'],
    ['XASX', '2035-12-31'],
    ['AU-SETTLEMENT', '2035-12-31'],
    // Singapore's religious holidays are fixed year by year: the calendars end with MOM's latest list.
    ['XSES', '2027-12-31'],
    ['SG-SETTLEMENT', '2027-12-31'],
  ])('%s covers 2000-01-01..%s', (id, to) => {
    const cal = bundled().ruleset.calendars.get(id);
    expect(cal?.fromText).toBe('2000-01-01');
    expect(cal?.toText).toBe(to);
  });
});

describe('Hong Kong: XHKG and CCASS (General Holidays Ordinance, HKEX severe weather)', () => {
  it('2025: the gazetted weekday general holidays, and nothing else, close the market', () => {
    const closed = closedWeekdays('XHKG', 2025);
    // 2025 general holidays (Cap. 149 gazette); Tuen Ng (05-31) and the day after Good Friday (04-19) are Saturdays
    expect(closed).toEqual([
      '2025-01-01',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
      '2025-04-04',
      '2025-04-18',
      '2025-04-21',
      '2025-05-01',
      '2025-05-05',
      '2025-07-01',
      '2025-10-01',
      '2025-10-07',
      '2025-10-29',
      '2025-12-25',
      '2025-12-26',
    ]);
  });

  it.each([
    ['2024-02-12', false], // third day of Lunar New Year
    ['2024-02-13', false], // fourth day: the second day fell on a Sunday (substitution since 2012)
    ['2024-02-14', true],
    ['2021-12-27', false], // first weekday after a Saturday Christmas; no substitute for the Saturday
    ['2021-12-28', true],
    ['2022-12-26', false], // Christmas 2022 on a Sunday: Monday and Tuesday
    ['2022-12-27', false],
    ['2022-09-12', false], // day following Mid-Autumn fell on a Sunday: the Monday
    ['2015-09-03', false], // 70th anniversary one-off general holiday
    ['2023-07-17', false], // Typhoon Talim: Signal No. 8 at noon, all sessions cancelled
    ['2023-09-01', false], // Super Typhoon Saola: all sessions cancelled
    ['2023-09-08', false], // Black Rainstorm: all sessions cancelled, no clearing and settlement
    ['2024-09-06', false], // Typhoon Yagi: all sessions cancelled, no clearing and settlement
    ['2023-10-09', true], // Typhoon Koinu: only the morning session was cancelled
  ])('%s business day: %s (trading and CCASS alike)', (date, open) => {
    expect(isBusiness('XHKG', date)).toBe(open);
    expect(isBusiness('HK-SETTLEMENT', date)).toBe(open);
  });

  it.each([
    ['2023-08-31', '2023-09-05'], // Saola closed Friday 09-01
    ['2023-09-07', '2023-09-12'], // the black rainstorm closed Friday 09-08
    ['2025-01-28', '2025-02-04'], // Lunar New Year 2025-01-29..31
  ])('XHKG trade %s settles %s (T+2)', (trade, expected) => {
    expect(settle(trade, 'XHKG')).toBe(expected);
  });

  it('a trade on a typhoon closure is NOT_A_TRADING_DAY', () => {
    expect(codeOf(() => settle('2024-09-06', 'XHKG'))).toBe('NOT_A_TRADING_DAY');
  });
});

describe('Japan: XTKS and JASDEC/BOJ-NET (Act on National Holidays, TSE business days)', () => {
  it.each([
    // the ten-day 2019 Golden Week around the enthronement
    ['2019-04-29', false],
    ['2019-04-30', false],
    ['2019-05-01', false],
    ['2019-05-02', false],
    ['2019-05-06', false],
    ['2019-05-07', true],
    ['2019-10-22', false], // enthronement ceremony
    ['2020-07-23', false],
    ['2020-07-24', false],
    ['2020-10-12', true], // Olympic moves of 2020
    ['2021-07-22', false],
    ['2021-07-23', false],
    ['2021-08-09', false],
    ['2021-10-11', true], // and of 2021
    ['2024-03-20', false],
    ['2025-09-23', false], // equinox days (NAOJ)
    ['2024-12-31', false],
    ['2025-01-02', false],
    ['2025-01-03', false],
    ['2025-01-06', true], // TSE year-end/new year
    ['2015-09-22', false], // citizens' holiday between Respect for the Aged Day and the equinox
  ])('%s business day: %s (trading and settlement alike)', (date, open) => {
    expect(isBusiness('XTKS', date)).toBe(open);
    expect(isBusiness('JP-SETTLEMENT', date)).toBe(open);
  });

  it('2020-10-01: arrowhead failure stopped trading, not settlement', () => {
    expect(isBusiness('XTKS', '2020-10-01')).toBe(false);
    expect(isBusiness('JP-SETTLEMENT', '2020-10-01')).toBe(true);
    expect(settle('2020-09-29', 'XTKS')).toBe('2020-10-01');
    expect(codeOf(() => settle('2020-10-01', 'XTKS'))).toBe('NOT_A_TRADING_DAY');
  });
});

describe('Australia: XASX and CHESS', () => {
  it.each([
    ['2022-09-22', false], // National Day of Mourning for Queen Elizabeth II
    ['2023-06-12', false], // King's Birthday
    ['2021-12-27', false],
    ['2021-12-28', false],
    ['2022-01-03', false], // weekend Christmas/Boxing/New Year moved
    ['2021-04-26', true], // Anzac Day 2021 fell on a Sunday and was not moved
    ['2011-04-26', false], // Easter Tuesday 2011 (Anzac Day on Easter Monday)
    ['2026-01-26', false], // Australia Day
  ])('%s business day: %s', (date, open) => {
    expect(isBusiness('XASX', date)).toBe(open);
    expect(isBusiness('AU-SETTLEMENT', date)).toBe(open);
  });
});

describe('Singapore: XSES and CDP (Holidays Act, MOM gazette)', () => {
  it.each([
    ['2015-08-07', false], // SG50 holiday
    ['2015-09-11', false], // polling day, general election
    ['2020-07-10', false], // polling day, general election
    ['2023-09-01', false], // polling day, presidential election
    ['2025-01-29', false],
    ['2025-01-30', false], // Chinese New Year
    ['2025-03-31', false], // Hari Raya Puasa
    ['2025-05-12', false], // Vesak Day
    ['2025-10-20', false], // Deepavali
    ['2025-06-09', true], // Hari Raya Haji fell on Saturday 06-07 and was not moved
  ])('%s business day: %s', (date, open) => {
    expect(isBusiness('XSES', date)).toBe(open);
    expect(isBusiness('SG-SETTLEMENT', date)).toBe(open);
  });

  it("2027: the weekday public holidays of MOM's list, and nothing else, close the market", () => {
    const closed = closedWeekdays('XSES', 2027);
    // MOM 2027: Chinese New Year Sat 02-06 and Sun 02-07 (Monday 02-08 in lieu), Labour Day and Christmas
    // on Saturdays (not moved); Good Friday 03-26 (Easter 2027-03-28).
    expect(closed).toEqual([
      '2027-01-01',
      '2027-02-08',
      '2027-03-10',
      '2027-03-26',
      '2027-05-17',
      '2027-05-20',
      '2027-08-09',
      '2027-10-28',
    ]);
    expect(closed.filter((date) => isBusiness('SG-SETTLEMENT', date))).toEqual([]);
  });

  it('a T+2 trade settles over the Chinese New Year weekend and its Monday in lieu', () => {
    expect(settle('2027-02-04', 'XSES')).toBe('2027-02-09');
    expect(settle('2027-02-05', 'XSES')).toBe('2027-02-10');
  });

  it("an answer past MOM's latest list is CALENDAR_OUT_OF_RANGE, never a guess", () => {
    expect(settle('2027-12-28', 'XSES')).toBe('2027-12-30');
    expect(codeOf(() => settle('2027-12-30', 'XSES'))).toBe('CALENDAR_OUT_OF_RANGE'); // T+2 lands in 2028
    expect(codeOf(() => settle('2028-01-03', 'XSES'))).toBe('CALENDAR_OUT_OF_RANGE');
  });
});

describe('XSES against QuantLib\'s Singapore calendar, 2019-2027 (server/rules/README.md, "Singapore 2027")', () => {
  // QuantLib ql/time/calendars/singapore.cpp (checked out 2026-08-20): its year-by-year SGX lists, and its
  // fixed-date rules (New Year's Day and National Day moved to a Monday, Good Friday, May 1, December 25).
  const QUANTLIB_LISTS: Readonly<Record<number, readonly string[]>> = {
    2019: ['02-05', '02-06', '05-20', '06-05', '08-12', '10-28'],
    2020: ['01-27', '05-07', '05-25', '07-31', '11-14'],
    2021: ['02-12', '05-13', '05-26', '07-20', '11-04'],
    2022: ['02-01', '02-02', '05-02', '05-03', '05-16', '07-11', '10-24', '12-26'],
    2023: ['01-23', '01-24', '04-22', '06-02', '06-29', '09-01', '11-13'],
    2024: ['02-12', '04-10', '05-22', '06-17', '10-31'],
    2025: ['01-29', '01-30', '03-31', '05-12', '10-20'],
    2026: ['02-17', '02-18', '03-20', '05-27', '06-01', '11-09'],
    2027: ['02-08', '03-10', '05-17', '05-20', '10-28'],
  };
  const GOOD_FRIDAY: Readonly<Record<number, string>> = {
    2019: '04-19',
    2020: '04-10',
    2021: '04-02',
    2022: '04-15',
    2023: '04-07',
    2024: '03-29',
    2025: '04-18',
    2026: '04-03',
    2027: '03-26',
  };
  const quantLibClosed = (d: Date): boolean => {
    const year = d.getUTCFullYear();
    const [m, day, monday] = [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay() === 1];
    const md = d.toISOString().slice(5, 10);
    return (
      (m === 1 && (day === 1 || (day === 2 && monday))) ||
      (m === 5 && day === 1) ||
      (m === 8 && (day === 9 || (day === 10 && monday))) ||
      (m === 12 && day === 25) ||
      GOOD_FRIDAY[year] === md ||
      (QUANTLIB_LISTS[year] ?? []).includes(md)
    );
  };

  it('differs on the two recorded weekdays only', () => {
    const differences: string[] = [];
    for (let d = new Date(Date.UTC(2019, 0, 1)); d.getUTCFullYear() <= 2027; d.setUTCDate(d.getUTCDate() + 1)) {
      if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
      const text = d.toISOString().slice(0, 10);
      const here = !isBusiness('XSES', text);
      if (here !== quantLibClosed(d)) differences.push(`${text} ${here ? 'closed' : 'open'} here`);
    }
    expect(differences).toEqual(['2020-07-10 closed here', '2026-03-20 open here']);
  });
});

describe('recorded differences from exchange_calendars (server/rules/README.md, Asia-Pacific)', () => {
  it.each([
    // exchange_calendars XHKG has both as sessions; HKEX cancelled all sessions and all settlement
    ['XHKG', '2023-09-01'],
    ['XHKG', '2023-09-08'],
  ])('%s %s is closed here', (id, date) => {
    expect(isBusiness(id, date)).toBe(false);
  });
});
