import { formatDay, INVALID_DAY, parseDay, type DayNumber } from '@tplus/core';
import { RegistryError } from './registry-error.js';

/** The longest trade-date range one Diff call compares (ten years and a few days). */
export const MAX_DIFF_DAYS = 3_660;

const FIRST_DAY = parseDay('0001-01-01');
const LAST_DAY = parseDay('9999-12-31');

export interface DiffWindow {
  readonly from: DayNumber;
  readonly to: DayNumber;
}

function day(text: string, field: string): DayNumber {
  const d = parseDay(text);
  if (d === INVALID_DAY) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
    throw new RegistryError('INVALID_ARGUMENT', `${field} ${JSON.stringify(shown)} is not a valid YYYY-MM-DD date`, {
      field,
      value: shown,
    });
  }
  return d;
}

/**
 * The trade dates a Diff compares. Both bounds are inclusive. Without from_date the window starts
 * `today` (the registry's clock), or MAX_DIFF_DAYS before to_date when only that is given; without
 * to_date it ends MAX_DIFF_DAYS - 1 days after from_date. A window over MAX_DIFF_DAYS days is refused
 * (INVALID_ARGUMENT naming to_date and the span), so no Diff can be asked to do unbounded work.
 */
export function diffWindow(fromText: string, toText: string, today: DayNumber): DiffWindow {
  const fromGiven = fromText !== '';
  const toGiven = toText !== '';
  const to0 = toGiven ? day(toText, 'to_date') : null;
  const from = fromGiven ? day(fromText, 'from_date') : to0 !== null ? Math.max(FIRST_DAY, to0 - MAX_DIFF_DAYS + 1) : today;
  const to = to0 ?? Math.min(LAST_DAY, from + MAX_DIFF_DAYS - 1);
  if (to < from) {
    throw new RegistryError('INVALID_ARGUMENT', `to_date ${formatDay(to)} is before from_date ${formatDay(from)}`, {
      field: 'to_date',
      value: formatDay(to),
      from_date: formatDay(from),
    });
  }
  const span = to - from + 1;
  if (span > MAX_DIFF_DAYS) {
    throw new RegistryError(
      'INVALID_ARGUMENT',
      `from_date ${formatDay(from)} to to_date ${formatDay(to)} spans ${span} days; one Diff compares at most ${MAX_DIFF_DAYS} days (split the range)`,
      { field: 'to_date', value: formatDay(to), from_date: formatDay(from), span_days: String(span), max_days: String(MAX_DIFF_DAYS) },
    );
  }
  return { from, to };
}
