import { describe, expect, it } from 'vitest';
import { easterSunday, formatDay, parseDay, weekdayOf, ymdFromDay, type DayNumber } from '@tplus/core';
import { isBusiness } from '../support/bundled.js';

// US-BOND cross-checked against two public SIFMA calendars, transcribed rule by rule:
// - QuantLib UnitedStates(GovernmentBond), ql/time/calendars/unitedstates.cpp at lballabio/QuantLib
//   2a13d455048c748b9fb5c2ff3bb4f4cf56dfb9a9;
// - pandas_market_calendars SIFMAUSExchangeCalendar, calendars/sifma.py + holidays/sifma.py at
//   rsheftel/pandas_market_calendars 966ffb32b988e5c64835fe184996c3826a8963b2.
// Every day on which either disagrees with US-BOND over 2000-2027 is listed below with its reason
// (server/rules/README.md, "US fixed income"): a new difference fails this test until it is recorded.

const SUN = 0;
const MON = 1;
const THU = 4;
const FRI = 5;
const SAT = 6;

interface Parts {
  y: number;
  m: number;
  d: number;
  w: number;
  day: DayNumber;
}
const fields = (day: DayNumber): Parts => {
  const { year, month, day: d } = ymdFromDay(day);
  return { y: year, m: month, d, w: weekdayOf(day), day };
};

/** QuantLib GovernmentBondImpl::isBusinessDay, for 2000 onwards (the pre-1983/1971 branches dropped). */
function quantlib(day: DayNumber): boolean {
  const { y, m, d, w } = fields(day);
  const goodFriday = easterSunday(y) - 2;
  const closed =
    w === SAT ||
    w === SUN ||
    ((d === 1 || (d === 2 && w === MON)) && m === 1) ||
    (d >= 15 && d <= 21 && w === MON && m === 1) ||
    (d >= 15 && d <= 21 && w === MON && m === 2) ||
    (day === goodFriday && d > 7) || // early close when Good Friday is the first Friday (NFP day), since 1996
    (d >= 25 && w === MON && m === 5) ||
    ((d === 19 || (d === 20 && w === MON) || (d === 18 && w === FRI)) && m === 6 && y >= 2022) ||
    ((d === 4 || (d === 5 && w === MON) || (d === 3 && w === FRI)) && m === 7) ||
    (d <= 7 && w === MON && m === 9) ||
    (d >= 8 && d <= 14 && w === MON && m === 10) ||
    ((d === 11 || (d === 12 && w === MON)) && m === 11) ||
    (d >= 22 && d <= 28 && w === THU && m === 11) ||
    ((d === 25 || (d === 26 && w === MON) || (d === 24 && w === FRI)) && m === 12);
  const special = ['2018-12-05', '2012-10-30', '2004-06-11'].includes(formatDay(day));
  return !closed && !special;
}

/** pandas_market_calendars SIFMA_US regular and ad-hoc holidays (it lists no unscheduled closures). */
function pandasMarketCalendars(day: DayNumber): boolean {
  const { y, m, d, w } = fields(day);
  if (w === SAT || w === SUN) return false;
  const goodFriday = easterSunday(y) - 2;
  // GoodFridayThru2020: always a holiday; from 2021 a holiday unless it is the first Friday of the month
  if (day === goodFriday) return y >= 2021 && d <= 7;
  const nearest = (month: number, date: number): boolean => {
    const wd = weekdayOf(parseDay(`${y}-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`));
    return (m === month && d === date) || (wd === SAT && m === month && d === date - 1) || (wd === SUN && m === month && d === date + 1);
  };
  const closed =
    ((d === 1 || (d === 2 && w === MON)) && m === 1) ||
    (d >= 15 && d <= 21 && w === MON && (m === 1 || m === 2)) ||
    (d >= 25 && w === MON && m === 5) ||
    (y >= 2022 && nearest(6, 19)) ||
    nearest(7, 4) ||
    (d <= 7 && w === MON && m === 9) ||
    (d >= 8 && d <= 14 && w === MON && m === 10) ||
    ((d === 11 || (d === 12 && w === MON)) && m === 11) ||
    (d >= 22 && d <= 28 && w === THU && m === 11) ||
    (m === 12 && (d === 25 || (d === 24 && w === FRI) || (d === 26 && w === MON)));
  return !closed;
}

function differences(reference: (day: DayNumber) => boolean, calendarId = 'US-BOND'): string[] {
  const out: string[] = [];
  for (let day = parseDay('2000-01-01'); day <= parseDay('2027-12-31'); day++) {
    const date = formatDay(day);
    if (reference(day) !== isBusiness(calendarId, date)) out.push(date);
  }
  return out;
}

describe('US-BOND against public SIFMA implementations', () => {
  it('weekday numbering used by the transcriptions (Tuesday 2024-05-28 is 2)', () => {
    expect(fields(parseDay('2024-05-28')).w).toBe(2);
  });

  it('QuantLib GovernmentBond differs only on the September 11 closures, which it does not list', () => {
    // BMA: bond trading shut 2001-09-11 and 09-12 and resumed 09-13 (AP, 2001-09-13).
    expect(differences(quantlib)).toEqual(['2001-09-11', '2001-09-12']);
  });

  it('pandas_market_calendars differs on the pre-2021 early-close Good Fridays and every unscheduled close', () => {
    expect(differences(pandasMarketCalendars)).toEqual([
      '2001-09-11',
      '2001-09-12', // BMA two-day shutdown: not listed by pmc
      '2004-06-11', // Reagan day of mourning, BMA full close: not listed
      '2007-04-06',
      '2010-04-02',
      '2012-04-06', // pmc closes every Good Friday through 2020 ...
      '2012-10-30', // Hurricane Sandy, SIFMA full close: not listed
      '2015-04-03', // ... including the early-close ones (SIFMA 2015-03-09)
      '2018-12-05', // Bush day of mourning, SIFMA full close: not listed
    ]);
  });

  it('as a Treasury settlement calendar, QuantLib differs where SIFMA gave settlement advice', () => {
    // QuantLib has one calendar for trading and settlement; SIFMA separates them.
    expect(differences(quantlib, 'US-TREASURY-SETTLEMENT')).toEqual([
      '2004-06-11', // bonds closed, Reserve Banks open: a settlement day here, a holiday in QuantLib
      '2007-04-06',
      '2010-04-02',
      '2012-04-06', // early-close Good Fridays: SIFMA says not a good settlement day
      '2012-10-30', // SIFMA: full close but "a good settlement day"
      '2015-04-03',
      '2021-04-02',
      '2023-04-07',
      '2026-04-03', // early-close Good Fridays, as above
    ]);
  });
});
