import { SettlementError, Status } from '../settlement-error.js';

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Strict `YYYY-MM-DD` → UTC day number, or null. Mirrors the service's validation. */
export function parseDate(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return null;
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return back.getTime() / DAY_MS;
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
