import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFromYmd, dayFromYmdInt, dayToYmdInt, daysInMonth, formatDay, INVALID_DAY, parseDay, weekdayOf, ymdFromDay } from '@tplus/core';

const MIN = parseDay('0001-01-01');
const MAX = parseDay('9999-12-31');
const anyDay = fc.integer({ min: MIN, max: MAX });

describe('date arithmetic (properties)', () => {
  it('format then parse is the identity on every day 0001-01-01..9999-12-31', () => {
    fc.assert(
      fc.property(anyDay, (day) => parseDay(formatDay(day)) === day),
      { numRuns: 20_000 },
    );
  });

  it('parse then format is the identity on every valid YYYY-MM-DD text', () => {
    const valid = fc
      .record({ y: fc.integer({ min: 1, max: 9999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
      .filter(({ y, m, d }) => d <= daysInMonth(y, m))
      .map(({ y, m, d }) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    fc.assert(
      fc.property(valid, (text) => formatDay(parseDay(text)) === text),
      { numRuns: 20_000 },
    );
  });

  it('consecutive day numbers are consecutive calendar days and weekdays', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN, max: MAX - 1 }), (day) => {
        const a = ymdFromDay(day);
        const b = ymdFromDay(day + 1);
        const next =
          a.day < daysInMonth(a.year, a.month)
            ? { year: a.year, month: a.month, day: a.day + 1 }
            : a.month < 12
              ? { year: a.year, month: a.month + 1, day: 1 }
              : { year: a.year + 1, month: 1, day: 1 };
        return JSON.stringify(b) === JSON.stringify(next) && weekdayOf(day + 1) === (weekdayOf(day) + 1) % 7;
      }),
      { numRuns: 20_000 },
    );
  });

  it('invalid day-of-month, month, year 0000 and malformed text are always rejected', () => {
    const badDay = fc
      .record({ y: fc.integer({ min: 1, max: 9999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 29, max: 99 }) })
      .filter(({ y, m, d }) => d > daysInMonth(y, m))
      .map(({ y, m, d }) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    const badMonth = fc
      .record({ y: fc.integer({ min: 1, max: 9999 }), m: fc.constantFrom(0, 13, 20, 99), d: fc.integer({ min: 1, max: 28 }) })
      .map(({ y, m, d }) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    const yearZero = fc.integer({ min: 1, max: 28 }).map((d) => `0000-01-${String(d).padStart(2, '0')}`);
    const noise = fc.string({ maxLength: 12 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s));
    fc.assert(
      fc.property(fc.oneof(badDay, badMonth, yearZero, noise), (text) => parseDay(text) === INVALID_DAY),
      { numRuns: 20_000 },
    );
  });

  it('packed YYYYMMDD integers round-trip', () => {
    fc.assert(
      fc.property(anyDay, (day) => dayFromYmdInt(dayToYmdInt(day)) === day),
      { numRuns: 10_000 },
    );
  });

  it.each([
    ['1970-01-01', 0, 4],
    ['2000-02-29', dayFromYmd(2000, 2, 29), 2],
    ['2024-05-28', dayFromYmd(2024, 5, 28), 2],
    ['1900-03-01', dayFromYmd(1900, 3, 1), 4],
  ])('%s is day %i, weekday %i', (text, day, weekday) => {
    expect(parseDay(text)).toBe(day);
    expect(weekdayOf(day)).toBe(weekday);
  });

  it.each([
    '2024-02-30',
    '2023-02-29',
    '1900-02-29',
    '2024-13-01',
    '2024-00-10',
    '0000-01-01',
    '2024-1-01',
    '2024/01/01',
    ' 2024-01-01',
    '２０２４-01-01',
    '',
  ])('%j is rejected', (text) => {
    expect(parseDay(text)).toBe(INVALID_DAY);
  });
});
