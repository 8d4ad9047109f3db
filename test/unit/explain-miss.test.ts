/**
 * Issue 18 item 2: a trade no rule matches is explained. When its (market, asset class) has rules, the
 * explanation lists them with their effective ranges and says where the date falls (before the first,
 * between two, after the last); when the key has none, it names the closest known markets and asset
 * classes (case-insensitive match first, then edit distance, at most 3), each with what exists there.
 * The NO_RULE error message carries the same hint.
 */
import { describe, expect, it } from 'vitest';
import { checkIdentifier, closestCodes, DecisionError, NoRuleError, Ruleset, type RulesetDocument } from '@tplus/core';
import { bundled } from '../support/bundled.js';

function noRule(ruleset: Ruleset, tradeDate: string, assetClass: string, market: string): NoRuleError {
  try {
    ruleset.decide(tradeDate, assetClass, market);
  } catch (e) {
    if (e instanceof NoRuleError) return e;
    throw e;
  }
  throw new Error('decided');
}

const CAL = {
  id: 'C',
  name: 'C',
  kind: 'settlement',
  weekend: [0, 6],
  from: '2000-01-01',
  to: '2040-12-31',
  holidays: [],
  unionOf: [],
  source: 's',
} as const;
const rule = (id: string, from: string, to: string) =>
  ({
    id,
    name: id,
    assetClass: 'EQUITY',
    market: 'XTST',
    from,
    to,
    cycleDays: 2,
    settlementCalendar: 'C',
    tradingCalendar: null,
    source: 's',
  }) as const;
/** One key with a gap (2010-01-01..2010-01-31) and an end (2020-12-31). */
const GAPPED: RulesetDocument = {
  calendars: [CAL],
  rules: [rule('old', '2000-01-01', '2009-12-31'), rule('new', '2010-02-01', '2020-12-31')],
};
const gapped = new Ruleset(GAPPED, { version: 7, hash: 'h' });

describe('explain for a miss: the key has rules', () => {
  it('before the first rule: every rule of the key with its range, and the first one named', () => {
    const e = noRule(bundled().ruleset, '1999-06-01', 'EQUITY', 'XNYS');
    expect(e.code).toBe('NO_RULE');
    expect(e.miss.rulesOfKey.map((r) => [r.ruleId, r.from, r.to])).toEqual([
      ['us-equity-xnys-t3', '2000-01-01', '2017-09-04'],
      ['us-equity-xnys-t2', '2017-09-05', '2024-05-27'],
      ['us-equity-xnys-t1', '2024-05-28', '9999-12-31'],
    ]);
    expect(e.miss.position).toBe('before_first');
    expect(e.miss.nextRuleId).toBe('us-equity-xnys-t3');
    expect(e.miss.previousRuleId).toBeNull();
    expect(e.message).toBe(
      'no rule for asset_class "EQUITY" on market "XNYS" on trade_date 1999-06-01: it is before the first rule of the key, us-equity-xnys-t3 (2000-01-01..2017-09-04)',
    );
  });

  it('between two rules: both named with their ranges', () => {
    const e = noRule(gapped, '2010-01-15', 'EQUITY', 'XTST');
    expect(e.miss.position).toBe('between');
    expect([e.miss.previousRuleId, e.miss.nextRuleId]).toEqual(['old', 'new']);
    expect(e.message).toContain('it falls between old (2000-01-01..2009-12-31) and new (2010-02-01..2020-12-31)');
  });

  it('after the last rule', () => {
    const e = noRule(gapped, '2021-01-04', 'EQUITY', 'XTST');
    expect(e.miss.position).toBe('after_last');
    expect([e.miss.previousRuleId, e.miss.nextRuleId]).toEqual(['new', null]);
    expect(e.message).toContain('it is after the last rule of the key, new (2010-02-01..2020-12-31)');
  });
});

describe('explain for a miss: the key has no rules', () => {
  it('a misspelt market (XNSY) suggests XNYS first, each suggestion naming its asset classes, at most 3', () => {
    const e = noRule(bundled().ruleset, '2024-06-03', 'EQUITY', 'XNSY');
    expect(e.miss.position).toBe('no_rules_for_key');
    expect(e.miss.rulesOfKey).toEqual([]);
    expect(e.miss.suggestedMarkets[0]).toEqual({ market: 'XNYS', assetClasses: ['EQUITY', 'ETF'] });
    expect(e.miss.suggestedMarkets.length).toBeLessThanOrEqual(3);
    expect(e.message).toContain('market "XNSY" has no rules at all; did you mean XNYS (EQUITY, ETF)');
  });

  it('a known market without that asset class names the asset classes it has', () => {
    const e = noRule(bundled().ruleset, '2024-06-03', 'EQUTY', 'XNYS');
    expect(e.miss.suggestedAssetClasses).toEqual([{ assetClass: 'EQUITY', markets: expect.arrayContaining(['XNYS', 'XNAS']) as unknown }]);
    expect(e.message).toContain('XNYS has rules for EQUITY, ETF; did you mean asset class EQUITY?');
  });

  it('nothing close: says so, and how many markets are known', () => {
    const e = noRule(bundled().ruleset, '2024-06-03', 'EQUITY', 'QQQQ');
    expect(e.miss.suggestedMarkets).toEqual([]);
    expect(e.message).toMatch(/market "QQQQ" has no rules at all, and no known market is close \(\d+ markets are known\)/);
  });

  it('the error keeps its code, details and class for every caller', () => {
    const e = noRule(bundled().ruleset, '2024-06-03', 'EQUITY', 'XNSY');
    expect(e).toBeInstanceOf(DecisionError);
    expect(e.details).toEqual({ asset_class: 'EQUITY', market: 'XNSY', trade_date: '2024-06-03' });
  });
});

describe('closest codes', () => {
  const known = ['XNYS', 'XNAS', 'ARCX', 'XLON', 'XETR'];
  it('a case-insensitive exact match comes first and alone', () => {
    expect(closestCodes('xnys', known)).toEqual(['XNYS']);
  });
  it('then edit distance, transpositions counting one, only the nearest, at most 3', () => {
    expect(closestCodes('XNSY', known)).toEqual(['XNYS']);
    expect(closestCodes('XNSS', known)).toEqual(['XNAS', 'XNYS']);
    expect(closestCodes('XXXX', ['XXXA', 'XXXB', 'XXXC', 'XXXD'])).toHaveLength(3);
    expect(closestCodes('QQQQ', known)).toEqual([]);
  });
});

describe('a lower-case code is refused with the upper-case hint', () => {
  it.each([
    [
      'market',
      'xnys',
      'market "xnys" is not an ISO 10383 MIC (4 upper-case letters or digits); codes are upper case: did you mean "XNYS"?',
    ],
    ['asset_class', 'equity', 'codes are upper case: did you mean "EQUITY"?'],
  ] as const)('%s %s', (kind, value, text) => {
    expect(() => checkIdentifier(value, kind)).toThrow(text);
  });
  it('no hint when upper case would not help', () => {
    expect(() => checkIdentifier('xn', 'market')).toThrow(/MIC \(4 upper-case letters or digits\)$/);
  });
});
