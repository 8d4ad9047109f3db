import { describe, expect, it } from 'vitest';
import { DecisionError, explain, formatExplanation, parseDay, type DecideTerms } from '@tplus/core';
import { bundled } from '../support/bundled.js';

// Settlement types on the bundled pack's US equity and ETF T+1 rules (server/rules/rules/us-equities.yaml).
// Expected dates are counted by hand on the NYSE/DTC calendar from the cited rule text: cash = trade date
// (FINRA Rule 11320(a)), next day = next business day (NYSE Rule 64T(a)(ii)), seller's option = the
// option's business days, at least 2 and at most 180 calendar days (NYSE Rules 64/178), when issued = the
// announced date (NYSE Rule 63). Independence Day 2024-07-04 (Thursday) is closed.
const decide = (trade: string, terms: DecideTerms, market = 'XNYS', assetClass = 'EQUITY') =>
  bundled().ruleset.decide(trade, assetClass, market, false, terms);

function refusal(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecisionError) return { code: e.code, field: e.details['field'], message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('settlement types: dates from the cited rule text (US equities and ETFs, T+1 rules)', () => {
  it.each([
    // market, asset class, type, trade date, extra, expected, business days
    ['XNYS', 'EQUITY', 'CASH', '2024-07-03', {}, '2024-07-03', 0],
    ['XNAS', 'EQUITY', 'CASH', '2024-07-05', {}, '2024-07-05', 0],
    ['XNYS', 'EQUITY', 'NEXT_DAY', '2024-07-03', {}, '2024-07-05', 1],
    ['ARCX', 'ETF', 'NEXT_DAY', '2024-07-05', {}, '2024-07-08', 1],
    ['XNYS', 'EQUITY', 'SELLERS_OPTION', '2024-07-03', { optionDays: 2 }, '2024-07-08', 2],
    ['XNAS', 'ETF', 'SELLERS_OPTION', '2024-07-01', { optionDays: 10 }, '2024-07-16', 10],
    ['XNYS', 'EQUITY', 'WHEN_ISSUED', '2024-07-01', { settlementDate: '2024-07-15' }, '2024-07-15', 9],
    ['XNYS', 'ETF', 'WHEN_ISSUED', '2024-07-01', { settlementDate: '2024-07-01' }, '2024-07-01', 0],
    ['XNYS', 'EQUITY', 'REGULAR', '2024-07-03', {}, '2024-07-05', 1],
  ] as const)('%s %s %s trade %s %o settles %s (%i business days)', (market, ac, type, trade, extra, expected, days) => {
    const d = decide(trade, { settlementType: type, ...extra }, market, ac);
    expect(d.settlementDate).toBe(expected);
    expect(d.settlementType).toBe(type);
    expect(d.businessDays).toBe(days);
    expect(d.rule.id).toMatch(/-t1$/);
    if (type === 'REGULAR') expect(d.typeTerms).toBeNull();
    else expect(d.typeTerms?.source).toMatch(/FINRA|NYSE/);
  });

  it('without terms, and with REGULAR named, the answer is the plain regular-way decision', () => {
    const plain = bundled().ruleset.decide('2024-07-03', 'EQUITY', 'XNYS');
    expect(plain.settlementType).toBe('REGULAR');
    expect(plain.businessDays).toBe(1);
    expect(decide('2024-07-03', { settlementType: 'REGULAR' })).toEqual(plain);
    expect(decide('2024-07-03', { settlementType: '' })).toEqual(plain);
  });

  it.each([
    ['an unknown type', { settlementType: 'T_PLUS_5' }, 'settlement_type', /settlement_type "T_PLUS_5" is not one of REGULAR, CASH/],
    ["seller's option without option_days", { settlementType: 'SELLERS_OPTION' }, 'option_days', /option_days is required/],
    [
      'option_days below the minimum',
      { settlementType: 'SELLERS_OPTION', optionDays: 1 },
      'option_days',
      /option_days 1 is outside .* at least 2 business days/,
    ],
    [
      'option_days past 180 calendar days',
      { settlementType: 'SELLERS_OPTION', optionDays: 130 },
      'option_days',
      /option_days 130 settles 2025-01-\d\d, \d+ calendar days after the trade date; SELLERS_OPTION under rule us-equity-xnys-t1 allows at most 180/,
    ],
    [
      'option_days with CASH',
      { settlementType: 'CASH', optionDays: 3 },
      'option_days',
      /option_days 3 applies only to settlement_type SELLERS_OPTION, not CASH/,
    ],
    ['option_days with REGULAR', { optionDays: 3 }, 'option_days', /not REGULAR/],
    [
      'when issued without the announced date',
      { settlementType: 'WHEN_ISSUED' },
      'settlement_date',
      /settlement_date \(the announced date\) is required/,
    ],
    [
      'when issued on a holiday',
      { settlementType: 'WHEN_ISSUED', settlementDate: '2024-07-04' },
      'settlement_date',
      /settlement_date 2024-07-04 is not a settlement day on US-SETTLEMENT \(Independence Day/,
    ],
    [
      'when issued before the trade date',
      { settlementType: 'WHEN_ISSUED', settlementDate: '2024-07-02' },
      'settlement_date',
      /settlement_date 2024-07-02 is before the trade date/,
    ],
    [
      'settlement_date with NEXT_DAY',
      { settlementType: 'NEXT_DAY', settlementDate: '2024-07-09' },
      'settlement_date',
      /applies only to settlement_type WHEN_ISSUED, not NEXT_DAY/,
    ],
  ] as const)('refuses %s: INVALID_ARGUMENT naming the field and value', (_what, terms, field, message) => {
    const r = refusal(() => decide('2024-07-03', terms));
    expect(r).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(r.message).toMatch(message);
  });

  it('an announced date that is not a date is INVALID_DATE naming settlement_date', () => {
    expect(refusal(() => decide('2024-07-03', { settlementType: 'WHEN_ISSUED', settlementDate: '2024-13-01' }))).toMatchObject({
      code: 'INVALID_DATE',
      field: 'settlement_date',
    });
  });

  it('a rule that defines no types (the T+2 era, other markets) refuses them with INVALID_ARGUMENT, listing what it defines', () => {
    const r = refusal(() => decide('2020-07-01', { settlementType: 'CASH' }));
    expect(r).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'settlement_type' });
    expect(r.message).toBe('settlement_type CASH is not defined by rule us-equity-xnys-t2 (it defines only REGULAR)');
    expect(refusal(() => decide('2024-07-03', { settlementType: 'CASH' }, 'XLON')).code).toBe('INVALID_ARGUMENT');
  });

  it('explain names the type, its business days and its source, and walks the days counted', () => {
    const e = explain(bundled().ruleset, '2024-07-03', 'EQUITY', 'XNYS', false, { settlementType: 'SELLERS_OPTION', optionDays: 2 });
    const text = formatExplanation(e);
    expect(text).toContain('settlement type SELLERS_OPTION: 2 settlement business days after the trade date');
    expect(text).toMatch(/settlement type source: NYSE Rules 64 and 178/);
    expect(e.steps.filter((s) => s.counted).map((s) => s.date)).toEqual(['2024-07-05', '2024-07-08']);
    const cash = explain(bundled().ruleset, '2024-07-03', 'EQUITY', 'XNYS', false, { settlementType: 'CASH' });
    expect(cash.steps).toEqual([{ date: '2024-07-03', counted: true, count: 1, skippedBecause: null }]);
  });

  it('the pack gives every US equity and ETF T+1 rule all four types, each with a source', () => {
    const t1 = bundled().ruleset.rules.filter((r) => ['XNYS', 'XNAS', 'ARCX'].includes(r.market) && r.cycleDays === 1);
    expect(t1).toHaveLength(6);
    for (const r of t1) {
      expect(r.settlementTypes.map((t) => t.type)).toEqual(['CASH', 'NEXT_DAY', 'SELLERS_OPTION', 'WHEN_ISSUED']);
      expect(r.from).toBe(parseDay('2024-05-28'));
    }
  });
});
