/**
 * Calendar dates without a time zone, as integer day numbers (days since 1970-01-01).
 * Wire and file format is strictly `YYYY-MM-DD`, years 0001..9999, real calendar days only.
 * Conversion follows H. Hinnant's `days_from_civil` / `civil_from_days` algorithms.
 */

/** Integer day number: 0 = 1970-01-01. */
export type DayNumber = number;

/** The open end of an effective range. */
export const OPEN_END_TEXT = '9999-12-31';

/** Weekday of a day number: 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(day: DayNumber): number {
  // 1970-01-01 was a Thursday (4).
  const w = (day + 4) % 7;
  return w < 0 ? w + 7 : w;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** Day number of a civil date; the caller guarantees the date is valid. */
export function dayFromYmd(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface Ymd {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function ymdFromDay(dayNumber: DayNumber): Ymd {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

function digit(text: string, index: number): number {
  const c = text.charCodeAt(index) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Parses `YYYY-MM-DD` strictly. Returns the day number, or -1_000_000_000 (INVALID_DAY) when the
 * text is not a real date in 0001-01-01..9999-12-31. No allocation on the success path.
 */
export const INVALID_DAY = -1_000_000_000;

export function parseDay(text: string): DayNumber {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return INVALID_DAY;
  const y0 = digit(text, 0);
  const y1 = digit(text, 1);
  const y2 = digit(text, 2);
  const y3 = digit(text, 3);
  const m0 = digit(text, 5);
  const m1 = digit(text, 6);
  const d0 = digit(text, 8);
  const d1 = digit(text, 9);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return INVALID_DAY;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return INVALID_DAY;
  return dayFromYmd(year, month, day);
}

export function isValidDateText(text: string): boolean {
  return parseDay(text) !== INVALID_DAY;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatDay(dayNumber: DayNumber): string {
  const { year, month, day } = ymdFromDay(dayNumber);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `YYYYMMDD` as an integer, the packed form used by columnar batches. */
export function dayToYmdInt(dayNumber: DayNumber): number {
  const { year, month, day } = ymdFromDay(dayNumber);
  return year * 10000 + month * 100 + day;
}

/** Inverse of dayToYmdInt; INVALID_DAY when the integer is not a real date. */
export function dayFromYmdInt(value: number): DayNumber {
  if (!Number.isInteger(value) || value < 10101 || value > 99991231) return INVALID_DAY;
  const year = Math.floor(value / 10000);
  const month = Math.floor(value / 100) % 100;
  const day = value % 100;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return INVALID_DAY;
  return dayFromYmd(year, month, day);
}

export const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

export function weekdayFromName(name: string): number {
  return WEEKDAY_NAMES.indexOf(name as WeekdayName);
}
