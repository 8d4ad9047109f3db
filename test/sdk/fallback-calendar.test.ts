import { describe, expect, it } from 'vitest';
import { parseDay } from '@tplus/core';
import { FallbackCalendar } from '../../client-sdk/src/internal/fallback-calendar.js';

describe('fallback calendar: T+N over weekends and configured holidays', () => {
  it.each([
    [2, [], '2024-05-24', '2024-05-28'], // Friday T+2 over a weekend (Memorial Day unknown to the fallback)
    [2, ['2024-05-27'], '2024-05-24', '2024-05-29'],
    [1, [], '2024-05-25', '2024-05-27'], // Saturday T+1
    [0, [], '2024-05-25', '2024-05-27'], // T+0 on a weekend rolls forward
    [0, [], '2024-05-24', '2024-05-24'],
  ] as const)('T+%i with holidays %j: %s → %s', (cycle, holidays, trade, expected) => {
    expect(new FallbackCalendar(cycle, holidays).settle(parseDay(trade))).toBe(expected);
  });

  it('refuses a bad configuration at construction', () => {
    expect(() => new FallbackCalendar(-1, [])).toThrow(/cycleDays -1/);
    expect(() => new FallbackCalendar(2, ['2024-02-30'])).toThrow(/2024-02-30/);
  });
});
