import { describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '@tplus/core';
import { diffWindow, MAX_DIFF_DAYS } from '../../server/src/registry/server/diff-window.js';
import { RegistryError } from '../../server/src/registry/server/registry-error.js';

const TODAY = parseDay('2026-11-27');
const text = (w: { from: number; to: number }): string => `${formatDay(w.from)}..${formatDay(w.to)} (${w.to - w.from + 1} days)`;

function refusal(from: string, to: string): RegistryError {
  try {
    diffWindow(from, to, TODAY);
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error(`${from}..${to} was accepted`);
}

describe('the trade dates one registry Diff compares', () => {
  it.each([
    ['', '', `2026-11-27..2036-12-03 (${MAX_DIFF_DAYS} days)`],
    ['2030-01-01', '', `2030-01-01..2040-01-08 (${MAX_DIFF_DAYS} days)`],
    ['', '2030-12-31', `2020-12-24..2030-12-31 (${MAX_DIFF_DAYS} days)`],
    ['2030-01-01', '2030-12-31', '2030-01-01..2030-12-31 (365 days)'],
    ['2026-01-01', '2036-01-08', `2026-01-01..2036-01-08 (${MAX_DIFF_DAYS} days)`],
    ['', '0001-01-05', '0001-01-01..0001-01-05 (5 days)'],
  ])('from_date %j to_date %j → %s', (from, to, expected) => {
    expect(text(diffWindow(from, to, TODAY))).toBe(expected);
  });

  it('refuses one day over the bound, naming to_date, the span and the bound', () => {
    const e = refusal('2026-01-01', '2036-01-09');
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toBe(
      'from_date 2026-01-01 to to_date 2036-01-09 spans 3661 days; one Diff compares at most 3660 days (split the range)',
    );
    expect(e.details).toMatchObject({ field: 'to_date', value: '2036-01-09', span_days: '3661', max_days: '3660' });
  });

  it('refuses a reversed range and a malformed date, naming the field', () => {
    expect(refusal('2030-01-02', '2030-01-01').message).toBe('to_date 2030-01-01 is before from_date 2030-01-02');
    const bad = refusal('x'.repeat(100), '');
    expect(bad.details).toMatchObject({ field: 'from_date', value: `${'x'.repeat(40)}…(100 chars)` });
  });
});
