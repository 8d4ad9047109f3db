import { afterAll, describe, expect, it } from 'vitest';
import { DecisionError, explain, formatExplanation, Ruleset } from '@tplus/core';
import { compilePack } from '../../server/src/pack/compile-pack.js';
import { TODAY } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';
import { segmentPack } from '../support/segment-pack.js';

// Instrument segments: a rule may be limited to a segment; a request's segment picks it over the market
// default (test market XTST: default T+2, TRANCHE-A T+1 from 2022-02-25, TRANCHE-B T+1 from 2022-03-25).
const dir = segmentPack();
afterAll(() => dir.remove());
const pack = compilePack(dir.path, { today: TODAY });
if (!pack.document || !pack.hash) throw new Error(pack.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
const ruleset = new Ruleset(pack.document, { version: 0, hash: pack.hash });
const decide = (trade: string, segment?: string) =>
  ruleset.decide(trade, 'EQUITY', 'XTST', false, segment === undefined ? undefined : { segment });

describe('segment precedence: a segment rule in force over the market default', () => {
  it.each([
    // trade date, segment, rule, settlement
    ['2022-02-24', 'TRANCHE-A', 'xtst-default-t2', '2022-02-28'], // before the tranche's start: the default
    ['2022-02-25', 'TRANCHE-A', 'xtst-tranche-a-t1', '2022-02-28'],
    ['2022-02-25', 'TRANCHE-B', 'xtst-default-t2', '2022-03-01'], // tranche B not yet moved
    ['2022-03-25', 'TRANCHE-B', 'xtst-tranche-b-t1', '2022-03-28'],
    ['2022-03-25', undefined, 'xtst-default-t2', '2022-03-29'], // no segment: the default
    ['2022-03-25', 'NOT-LISTED', 'xtst-default-t2', '2022-03-29'], // a segment with no rule: the default
  ])('trade %s segment %s → %s, settles %s', (trade, segment, rule, settlement) => {
    const d = decide(trade, segment);
    expect(d.rule.id).toBe(rule);
    expect(d.settlementDate).toBe(settlement);
    expect(d.rule.segment).toBe(rule === 'xtst-default-t2' ? null : segment);
  });

  it('a segment of the wrong shape is INVALID_ARGUMENT naming the field', () => {
    let err: unknown;
    try {
      decide('2022-03-25', 'tranche a');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecisionError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'segment', value: 'tranche a' } });
  });

  // decide() checks the request's segment only when it matched no segment rule (a match has the pack's
  // shape); these pin that every other path still refuses a malformed one before anything else.
  it.each([
    ['a key with segment rules, no match', 'EQUITY', 'XTST'],
    ['a key with no segment rules', 'EQUITY', 'XNYS'],
    ['a key with no rules at all (INVALID_ARGUMENT, not NO_RULE)', 'BOND', 'XTST'],
  ])('a malformed segment on %s is INVALID_ARGUMENT naming the field', (_what, assetClass, market) => {
    let err: unknown;
    try {
      ruleset.decide('2022-03-25', assetClass, market, false, { segment: 'tranche a' });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'segment', value: 'tranche a' } });
  });

  it('a document whose rule names a segment of the wrong shape does not build a ruleset (so no request can match it)', () => {
    const [first] = ruleset.document.rules;
    if (!first) throw new Error('segment pack has no rules');
    const doc = { ...ruleset.document, rules: [...ruleset.document.rules, { ...first, id: 'xtst-bad', segment: 'tranche a' }] };
    expect(() => new Ruleset(doc, { version: 0, hash: 'test' })).toThrow(
      /rule xtst-bad segment "tranche a" is not an upper-case letter or digit/,
    );
  });

  it('the columnar fast path and rulesFor: defaults only vs every rule', () => {
    expect(ruleset.defaultRulesFor('EQUITY', 'XTST')?.map((r) => r.id)).toEqual(['xtst-default-t2']);
    expect(ruleset.rulesFor('EQUITY', 'XTST').map((r) => r.id)).toEqual(['xtst-default-t2', 'xtst-tranche-a-t1', 'xtst-tranche-b-t1']);
  });

  it('explain says why the segment rule won and why the other segment did not apply', () => {
    const text = formatExplanation(explain(ruleset, '2022-03-25', 'EQUITY', 'XTST', false, { segment: 'TRANCHE-A' }));
    expect(text).toContain('rule xtst-tranche-a-t1 "XTST tranche A, T+1": T+1 on calendar US-SETTLEMENT (segment TRANCHE-A)');
    expect(text).toContain(
      'xtst-default-t2 T+2 2000-01-01..9999-12-31: the segment rule xtst-tranche-a-t1 takes precedence over the market default',
    );
    expect(text).toContain("xtst-tranche-b-t1 T+1 2022-03-25..9999-12-31: it is for segment TRANCHE-B, not the request's");
  });
});

describe('segment rules are validated at load', () => {
  const overlapping = `rules:
  - id: xtst-tranche-a-again
    name: XTST tranche A, T+1 again
    asset_class: EQUITY
    market: XTST
    segment: TRANCHE-A
    effective: { from: 2023-01-01, to: 9999-12-31 }
    cycle_days: 1
    settlement_calendar: US-SETTLEMENT
    source: test
`;

  it('two rules of one segment that overlap are rejected, naming both rules with file and line', async () => {
    const bad = segmentPack({ 'rules/xtst-overlap.yaml': overlapping });
    try {
      const r = await cli(['rules', 'validate', bad.path]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /xtst-segments\.yaml:11: error: rules\[1\]: rules xtst-tranche-a-t1 \(2022-02-25\.\.9999-12-31\) and xtst-tranche-a-again \(2023-01-01\.\.9999-12-31\) overlap for EQUITY XTST segment TRANCHE-A \(xtst-tranche-a-again at \S*xtst-overlap\.yaml:2\)/,
      );
    } finally {
      bad.remove();
    }
  });

  it('a segment rule may overlap the market default (that is the precedence) and may leave gaps', () => {
    expect(pack.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('a segment of the wrong shape is refused with file and line', async () => {
    const bad = segmentPack({
      'rules/xtst-bad.yaml': overlapping.replace('segment: TRANCHE-A', 'segment: tranche a').replace('xtst-tranche-a-again', 'xtst-bad'),
    });
    try {
      const r = await cli(['rules', 'validate', bad.path]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('xtst-bad.yaml:6: error: rules[0].segment: "tranche a" is not an upper-case letter or digit');
    } finally {
      bad.remove();
    }
  });
});

describe('rules transition --segment shows a tranche cutover and its double settlement day', () => {
  it('TRANCHE-A: T+2 trades of 2022-02-24 and T+1 trades of 2022-02-25 both settle 2022-02-28', async () => {
    const r = await cli([
      'rules',
      'transition',
      '--market',
      'XTST',
      '--asset-class',
      'EQUITY',
      '--segment',
      'TRANCHE-A',
      '--around',
      '2022-02-25',
      '--days',
      '1',
      '--json',
      '--rules',
      dir.path,
    ]);
    expect(r.stderr).toBe('');
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as object),
    ).toEqual([
      {
        tradeDate: '2022-02-24',
        weekday: 'THU',
        settlementDate: '2022-02-28',
        ruleId: 'xtst-default-t2',
        cycleDays: 2,
        closedBecause: null,
        doubleSettlementRules: ['xtst-default-t2', 'xtst-tranche-a-t1'],
      },
      {
        tradeDate: '2022-02-25',
        weekday: 'FRI',
        settlementDate: '2022-02-28',
        ruleId: 'xtst-tranche-a-t1',
        cycleDays: 1,
        closedBecause: null,
        doubleSettlementRules: ['xtst-default-t2', 'xtst-tranche-a-t1'],
      },
      {
        tradeDate: '2022-02-26',
        weekday: 'SAT',
        settlementDate: null,
        ruleId: null,
        cycleDays: null,
        closedBecause: 'weekend',
        doubleSettlementRules: [],
      },
    ]);
  });

  it('without --segment the market default shows no cutover there', async () => {
    const r = await cli([
      'rules',
      'transition',
      '--market',
      'XTST',
      '--asset-class',
      'EQUITY',
      '--around',
      '2022-02-25',
      '--days',
      '1',
      '--json',
      '--rules',
      dir.path,
    ]);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ruleId: string | null; doubleSettlementRules: string[] });
    expect(rows.every((row) => row.doubleSettlementRules.length === 0 && row.ruleId !== 'xtst-tranche-a-t1')).toBe(true);
  });
});
