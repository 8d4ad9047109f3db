import { formatDay, INVALID_DAY, parseDay } from '@tplus/core';
import { SettlementError, Status } from '../settlement-error.js';
import type { SettlementRequest } from '../types.js';

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
        const day = parseDay(h);
        if (day === INVALID_DAY) throw new TypeError(`fallback.holidays: ${JSON.stringify(h)} is not a valid YYYY-MM-DD date`);
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
    return this.settleAfter(tradeDay, this.cycleDays);
  }

  /**
   * A provisional answer for a typed request (checked by validateRequest): CASH T+0, NEXT_DAY T+1,
   * SELLERS_OPTION T+optionDays, WHEN_ISSUED the announced date; REGULAR T+cycleDays. Segments are
   * not known here: the provisional date is the market default's.
   */
  settleFor(req: SettlementRequest, tradeDay: number): string {
    switch (req.settlementType) {
      case 'CASH':
        return this.settleAfter(tradeDay, 0);
      case 'NEXT_DAY':
        return this.settleAfter(tradeDay, 1);
      case 'SELLERS_OPTION':
        return this.settleAfter(tradeDay, req.optionDays ?? this.cycleDays);
      case 'WHEN_ISSUED':
        return req.settlementDate ?? this.settle(tradeDay);
      default:
        return this.settle(tradeDay);
    }
  }

  private settleAfter(tradeDay: number, n: number): string {
    let day = tradeDay;
    if (n === 0) {
      while (!this.isBusiness(day)) day++;
      return formatDay(day);
    }
    for (let counted = 0; counted < n;) {
      day++;
      if (this.isBusiness(day)) counted++;
    }
    return formatDay(day);
  }
}
