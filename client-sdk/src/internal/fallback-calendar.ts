import { SettlementError, Status } from '../settlement-error.js';

const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Strict `YYYY-MM-DD` (0001-01-01..9999-12-31) → day number since 1970-01-01, or null. The same rules
 * as the service's validation, without allocating (this runs for every request and batch item).
 */
export function parseDate(text: string): number | null {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  const y0 = digit(text, 0);
  const y1 = digit(text, 1);
  const y2 = digit(text, 2);
  const y3 = digit(text, 3);
  const m0 = digit(text, 5);
  const m1 = digit(text, 6);
  const d0 = digit(text, 8);
  const d1 = digit(text, 9);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return null;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > dim) return null;
  // days_from_civil (H. Hinnant), as in the service.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

export function formatDate(day: number): string {
  const d = new Date(day * DAY_MS);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function invalidDate(field: string, value: string): SettlementError {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return new SettlementError(Status.INVALID_ARGUMENT, 'INVALID_DATE', `${field} ${JSON.stringify(shown)} is not a valid YYYY-MM-DD date`);
}

/** The SDK's own hard-coded answer: T+N over Saturday/Sunday plus an optional holiday list. */
export class FallbackCalendar {
  readonly cycleDays: number;
  private readonly holidays: ReadonlySet<number>;

  constructor(cycleDays: number, holidays: readonly string[]) {
    if (!Number.isInteger(cycleDays) || cycleDays < 0 || cycleDays > 30) {
      throw new TypeError(`fallback.cycleDays ${cycleDays} must be an integer 0..30`);
    }
    this.cycleDays = cycleDays;
    this.holidays = new Set(
      holidays.map((h) => {
        const day = parseDate(h);
        if (day === null) throw new TypeError(`fallback.holidays: ${JSON.stringify(h)} is not a valid YYYY-MM-DD date`);
        return day;
      }),
    );
  }

  private isBusiness(day: number): boolean {
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday
    return weekday !== 0 && weekday !== 6 && !this.holidays.has(day);
  }

  /** The cycleDays-th business day strictly after the trade date (T+0 rolls a non-business day forward). */
  settle(tradeDay: number): string {
    let day = tradeDay;
    if (this.cycleDays === 0) {
      while (!this.isBusiness(day)) day++;
      return formatDate(day);
    }
    for (let counted = 0; counted < this.cycleDays; ) {
      day++;
      if (this.isBusiness(day)) counted++;
    }
    return formatDate(day);
  }
}
