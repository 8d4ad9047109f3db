import { dayFromYmd, daysInMonth, weekdayOf, type DayNumber } from './date.js';
import { easterSunday } from './easter.js';

/**
 * How a fixed-date holiday that falls on a weekend is observed.
 * - none: not moved (lost if on a weekend)
 * - sun_to_mon: Sunday → Monday; Saturday not moved (US Federal Reserve)
 * - sat_to_fri_sun_to_mon: Saturday → Friday, Sunday → Monday (NYSE)
 * - next_weekday: Saturday/Sunday → the next weekday not already a holiday (UK, Canada substitute days)
 */
export const OBSERVANCES = ['none', 'sun_to_mon', 'sat_to_fri_sun_to_mon', 'next_weekday'] as const;
export type Observance = (typeof OBSERVANCES)[number];

export type HolidayRule =
  | { readonly type: 'fixed'; readonly month: number; readonly day: number; readonly observance: Observance }
  /** n = 1..5 counts from the start of the month; n = -1 is the last such weekday. */
  | { readonly type: 'nth_weekday'; readonly month: number; readonly weekday: number; readonly n: number }
  /** The last `weekday` on or before month/day (e.g. Victoria Day: Monday on or before May 24). */
  | { readonly type: 'weekday_on_or_before'; readonly month: number; readonly day: number; readonly weekday: number }
  /** Days relative to Western Easter Sunday (Good Friday = -2, Easter Monday = +1). */
  | { readonly type: 'easter'; readonly offset: number };

export interface HolidayDefinition {
  readonly name: string;
  readonly rule: HolidayRule;
  readonly fromYear: number | null;
  readonly toYear: number | null;
  readonly exceptYears: readonly number[];
  readonly closesSettlement: boolean;
}

export interface DatedHoliday {
  readonly day: DayNumber;
  readonly name: string;
  readonly closesSettlement: boolean;
}

/** The unobserved (nominal) date of a rule in a year. */
export function nominalDate(rule: HolidayRule, year: number): DayNumber {
  switch (rule.type) {
    case 'fixed':
      return dayFromYmd(year, rule.month, rule.day);
    case 'nth_weekday': {
      if (rule.n > 0) {
        const first = dayFromYmd(year, rule.month, 1);
        const shift = (rule.weekday - weekdayOf(first) + 7) % 7;
        return first + shift + (rule.n - 1) * 7;
      }
      const last = dayFromYmd(year, rule.month, daysInMonth(year, rule.month));
      return last - ((weekdayOf(last) - rule.weekday + 7) % 7);
    }
    case 'weekday_on_or_before': {
      const anchor = dayFromYmd(year, rule.month, rule.day);
      return anchor - ((weekdayOf(anchor) - rule.weekday + 7) % 7);
    }
    case 'easter':
      return easterSunday(year) + rule.offset;
  }
}

function appliesIn(def: HolidayDefinition, year: number): boolean {
  if (def.fromYear !== null && year < def.fromYear) return false;
  if (def.toYear !== null && year > def.toYear) return false;
  return !def.exceptYears.includes(year);
}

function isWeekend(day: DayNumber, weekend: readonly number[]): boolean {
  return weekend.includes(weekdayOf(day));
}

/**
 * Compiles holiday definitions into dated holidays for the given years.
 * Holidays that land on their own date are placed first; moved (observed) ones then take the next free
 * weekday, so Christmas and Boxing Day on a weekend become Monday and Tuesday, never one shared day.
 */
export function compileHolidays(
  defs: readonly HolidayDefinition[],
  firstYear: number,
  lastYear: number,
  weekend: readonly number[],
): DatedHoliday[] {
  const taken = new Map<DayNumber, DatedHoliday>();
  const place = (day: DayNumber, def: HolidayDefinition): void => {
    const existing = taken.get(day);
    const name = existing && existing.name !== def.name ? `${existing.name}; ${def.name}` : def.name;
    taken.set(day, { day, name, closesSettlement: (existing?.closesSettlement ?? false) || def.closesSettlement });
  };
  const moved: { nominal: DayNumber; def: HolidayDefinition }[] = [];
  for (let year = firstYear; year <= lastYear; year++) {
    for (const def of defs) {
      if (!appliesIn(def, year)) continue;
      const nominal = nominalDate(def.rule, year);
      const observance = def.rule.type === 'fixed' ? def.rule.observance : 'none';
      if (!isWeekend(nominal, weekend) || observance === 'none') {
        if (!isWeekend(nominal, weekend)) place(nominal, def);
        continue;
      }
      moved.push({ nominal, def });
    }
  }
  for (const { nominal, def } of moved) {
    const observance = def.rule.type === 'fixed' ? def.rule.observance : 'none';
    const wd = weekdayOf(nominal);
    if (observance === 'sun_to_mon') {
      if (wd === 0) place(nominal + 1, def);
    } else if (observance === 'sat_to_fri_sun_to_mon') {
      place(wd === 6 ? nominal - 1 : nominal + 1, def);
    } else {
      let day = nominal + 1;
      while (isWeekend(day, weekend) || taken.has(day)) day++;
      place(day, def);
    }
  }
  return [...taken.values()].sort((a, b) => a.day - b.day);
}
