import { afterAll, describe, expect, it } from 'vitest';
import { NoRuleError, Ruleset } from '@tplus/core';
import { compilePack } from '../../server/src/pack/compile-pack.js';
import { TODAY } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';
import { segmentPack } from '../support/segment-pack.js';

// A phased cycle change with no market default during the phase (test market XPHS, as India's T+1): the
// default is T+2 until 2022-02-24 and T+1 from 2023-01-27; in between every trade must name its segment.
const rule = (id: string, from: string, to: string, days: number, segment?: string): string => `  - id: ${id}
    name: ${id}
    asset_class: EQUITY
    market: XPHS
${segment === undefined ? '' : `    segment: ${segment}\n`}    effective: { from: ${from}, to: ${to} }
    cycle_days: ${days}
    settlement_calendar: US-SETTLEMENT
    trading_calendar: XNYS
    source: test
`;
const PHASED = `rules:
${rule('xphs-t2', '2000-01-01', '2022-02-24', 2)}${rule('xphs-t1', '2023-01-27', '9999-12-31', 1)}${rule('xphs-a-t1', '2022-02-25', '2023-01-26', 1, 'P-A')}${rule('xphs-b-t2', '2022-02-25', '2022-03-24', 2, 'P-B')}${rule('xphs-b-t1', '2022-03-25', '2023-01-26', 1, 'P-B')}`;

const dir = segmentPack({ 'rules/xphs.yaml': PHASED });
afterAll(() => dir.remove());
const pack = compilePack(dir.path, { today: TODAY });
const errors = pack.problems.filter((p) => p.severity === 'error');
const ruleset = (): Ruleset => {
  if (!pack.document || !pack.hash) throw new Error(errors.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
  return new Ruleset(pack.document, { version: 0, hash: pack.hash });
};
const missOf = (trade: string, segment?: string): NoRuleError => {
  try {
    ruleset().decide(trade, 'EQUITY', 'XPHS', false, segment === undefined ? undefined : { segment });
  } catch (e) {
    if (e instanceof NoRuleError) return e;
    throw e;
  }
  throw new Error(`trade ${trade} was answered`);
};

describe('a market default may step aside while segment rules cover every day of its gap', () => {
  it('the phased pack compiles', () => {
    expect(errors).toEqual([]);
  });

  it.each([
    ['2022-02-24', undefined, 'xphs-t2', '2022-02-28'],
    ['2022-02-25', 'P-A', 'xphs-a-t1', '2022-02-28'],
    ['2022-02-25', 'P-B', 'xphs-b-t2', '2022-03-01'],
    ['2022-03-25', 'P-B', 'xphs-b-t1', '2022-03-28'],
    ['2023-01-27', undefined, 'xphs-t1', '2023-01-30'],
    ['2023-01-27', 'P-B', 'xphs-t1', '2023-01-30'],
  ])('trade %s segment %s → %s, settles %s', (trade, segment, ruleId, settlement) => {
    const d = ruleset().decide(trade, 'EQUITY', 'XPHS', false, segment === undefined ? undefined : { segment });
    expect([d.rule.id, d.settlementDate]).toEqual([ruleId, settlement]);
  });

  it('a trade in the gap without a segment is NO_RULE whose hint says to pass one and names those in force', () => {
    const e = missOf('2022-06-01');
    expect(e.code).toBe('NO_RULE');
    expect(e.message).toBe(
      'no rule for asset_class "EQUITY" on market "XPHS" on trade_date 2022-06-01: it falls where the market default has no rule, from 2022-02-25 to 2023-01-26 ' +
        "(the market moved by segment then); pass the instrument's segment, one of P-A, P-B (the segments with a rule in force on 2022-06-01)",
    );
  });

  it('so is a segment with no rule in the gap, with the same hint', () => {
    expect(missOf('2022-06-01', 'P-C').message).toContain(
      '(segment "P-C" or the market default) on trade_date 2022-06-01: it falls where the market default has no rule',
    );
  });

  it('tplus explain of the miss shows the hint', async () => {
    const r = await cli(['explain', '--rules', dir.path, '--market', 'XPHS', '--asset-class', 'EQUITY', '--trade-date', '2022-06-01']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('trade date 2022-06-01 falls where the market default has no rule, from 2022-02-25 to 2023-01-26');
    expect(r.stdout).toContain("pass the instrument's segment, one of P-A, P-B (the segments with a rule in force on 2022-06-01)");
  });

  it('a default gap that segment rules do not cover on every day is still refused, naming both rules', async () => {
    const bad = segmentPack({ 'rules/xphs.yaml': PHASED.replaceAll('from: 2022-02-25,', 'from: 2022-02-28,') });
    try {
      const r = await cli(['rules', 'validate', bad.path]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'gap in EQUITY XPHS history: no rule between xphs-t2 ending 2022-02-24 and xphs-t1 starting 2023-01-27 (segment rules may stand in for the market default only on days every one of which some segment rule covers; none covers 2022-02-25)',
      );
    } finally {
      bad.remove();
    }
  });
});
