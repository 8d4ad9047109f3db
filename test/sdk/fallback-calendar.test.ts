import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FallbackCalendar, formatDate, parseDate } from '../../client-sdk/src/internal/fallback-calendar.js';
import { formatDay, INVALID_DAY, parseDay } from '../../server/src/domain/date.js';

describe('the SDK validates dates exactly as the service does (properties)', () => {
  it('agrees with the service parser on valid and invalid text', () => {
    const validish = fc
      .record({ y: fc.integer({ min: 0, max: 9999 }), m: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }) })
      .map(({ y, m, d }) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.oneof(validish, fc.string({ maxLength: 12 })), (text) => {
        const service = parseDay(text);
        const sdk = parseDate(text);
        expect(sdk === null ? INVALID_DAY : sdk).toBe(service);
      }),
      { numRuns: 20_000 },
    );
  });

  it('formats day numbers like the service', () => {
    fc.assert(fc.property(fc.integer({ min: parseDay('0001-01-01'), max: parseDay('9999-12-31') }), (day) => formatDate(day) === formatDay(day)), { numRuns: 10_000 });
  });
});

describe('fallback calendar: T+N over weekends and configured holidays', () => {
  it.each([
    [2, [], '2024-05-24', '2024-05-28'], // Friday T+2 over a weekend (Memorial Day unknown to the fallback)
    [2, ['2024-05-27'], '2024-05-24', '2024-05-29'],
    [1, [], '2024-05-25', '2024-05-27'], // Saturday T+1
    [0, [], '2024-05-25', '2024-05-27'], // T+0 on a weekend rolls forward
    [0, [], '2024-05-24', '2024-05-24'],
  ] as const)('T+%i with holidays %j: %s → %s', (cycle, holidays, trade, expected) => {
    expect(new FallbackCalendar(cycle, holidays).settle(parseDate(trade) as number)).toBe(expected);
  });

  it('refuses a bad configuration at construction', () => {
    expect(() => new FallbackCalendar(-1, [])).toThrow(/cycleDays -1/);
    expect(() => new FallbackCalendar(2, ['2024-02-30'])).toThrow(/2024-02-30/);
  });
});
