import { describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '@tplus/core';
import { easterSunday } from '@tplus/core';
import { compileHolidays, type HolidayDefinition, type HolidayRule } from '@tplus/core';
import { bundled } from '../support/bundled.js';

const def = (name: string, rule: HolidayRule): HolidayDefinition => ({
  name,
  rule,
  fromYear: null,
  toYear: null,
  exceptYears: [],
  closesSettlement: true,
});

describe('Easter (Western, Gregorian)', () => {
  it.each([
    [2000, '2000-04-23'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
  ])('%i: %s', (year, date) => {
    expect(formatDay(easterSunday(year))).toBe(date);
  });
});

describe('observance', () => {
  const SAT_SUN = [0, 6];
  const christmasBoxing = [
    def('Christmas Day', { type: 'fixed', month: 12, day: 25, observance: 'next_weekday' }),
    def('Boxing Day', { type: 'fixed', month: 12, day: 26, observance: 'next_weekday' }),
  ];
  const dates = (defs: HolidayDefinition[], year: number): string[] =>
    compileHolidays(defs, year, year, SAT_SUN).map((h) => `${formatDay(h.day)} ${h.name}`);

  it('Christmas on Saturday and Boxing Day on Sunday become Monday and Tuesday (2021)', () => {
    expect(dates(christmasBoxing, 2021)).toEqual(['2021-12-27 Christmas Day', '2021-12-28 Boxing Day']);
  });

  it('Christmas on Sunday moves past Boxing Day on Monday to Tuesday (2022)', () => {
    expect(dates(christmasBoxing, 2022)).toEqual(['2022-12-26 Boxing Day', '2022-12-27 Christmas Day']);
  });

  it('sun_to_mon leaves a Saturday holiday unobserved (Fed, Veterans Day 2023)', () => {
    const vets = [def('Veterans Day', { type: 'fixed', month: 11, day: 11, observance: 'sun_to_mon' })];
    expect(dates(vets, 2023)).toEqual([]);
    expect(dates(vets, 2018)).toEqual(['2018-11-12 Veterans Day']);
  });

  it('sat_to_fri_sun_to_mon moves Saturday to Friday (NYSE, Independence Day 2026)', () => {
    const july4 = [def('Independence Day', { type: 'fixed', month: 7, day: 4, observance: 'sat_to_fri_sun_to_mon' })];
    expect(dates(july4, 2026)).toEqual(['2026-07-03 Independence Day']);
    expect(dates(july4, 2027)).toEqual(['2027-07-05 Independence Day']);
  });

  it('nth and last weekdays, weekday on or before', () => {
    expect(dates([def('Memorial Day', { type: 'nth_weekday', month: 5, weekday: 1, n: -1 })], 2024)).toEqual(['2024-05-27 Memorial Day']);
    expect(dates([def('Thanksgiving', { type: 'nth_weekday', month: 11, weekday: 4, n: 4 })], 2024)).toEqual(['2024-11-28 Thanksgiving']);
    expect(dates([def('Victoria Day', { type: 'weekday_on_or_before', month: 5, day: 24, weekday: 1 })], 2024)).toEqual([
      '2024-05-20 Victoria Day',
    ]);
    expect(dates([def('Victoria Day', { type: 'weekday_on_or_before', month: 5, day: 24, weekday: 1 })], 2021)).toEqual([
      '2021-05-24 Victoria Day',
    ]);
  });

  it('from_year, to_year and except_years bound a holiday', () => {
    const juneteenth: HolidayDefinition = {
      ...def('Juneteenth', { type: 'fixed', month: 6, day: 19, observance: 'sun_to_mon' }),
      fromYear: 2022,
      exceptYears: [2024],
    };
    expect(compileHolidays([juneteenth], 2021, 2025, SAT_SUN).map((h) => formatDay(h.day))).toEqual([
      '2022-06-20',
      '2023-06-19',
      '2025-06-19',
    ]);
  });
});

describe('published full-year schedules', () => {
  const holidays = (id: string, year: number): string[] => {
    const cal = bundled().ruleset.calendars.get(id);
    if (!cal) throw new Error(id);
    return cal.holidaysIn(parseDay(`${year}-01-01`), parseDay(`${year}-12-31`)).map((h) => formatDay(h.day));
  };

  it('NYSE 2026 holidays', () => {
    expect(holidays('XNYS', 2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('NYSE 2027 holidays (Juneteenth on Saturday → Friday 06-18, Christmas on Saturday → Friday 12-24)', () => {
    expect(holidays('XNYS', 2027)).toEqual([
      '2027-01-01',
      '2027-01-18',
      '2027-02-15',
      '2027-03-26',
      '2027-05-31',
      '2027-06-18',
      '2027-07-05',
      '2027-09-06',
      '2027-11-25',
      '2027-12-24',
    ]);
  });

  it('Federal Reserve 2026 holidays (Independence Day on Saturday is not moved)', () => {
    expect(holidays('USFED', 2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-05-25',
      '2026-06-19',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('US settlement 2026 is the union: Good Friday and 07-03 from NYSE, Columbus and Veterans Day from the Fed', () => {
    expect(holidays('US-SETTLEMENT', 2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('2025-01-09 closes XNYS but not US settlement', () => {
    expect(holidays('XNYS', 2025)).toContain('2025-01-09');
    expect(holidays('US-SETTLEMENT', 2025)).not.toContain('2025-01-09');
  });
});
