import { afterAll, describe, expect, it } from 'vitest';
import { diffRulesets, parseDay, Ruleset, type RuleDocument, type RulesetDocument, type SettlementTypeTerms } from '@tplus/core';
import { compilePack } from '../../server/src/pack/compile-pack.js';
import { bundled, TODAY } from '../support/bundled.js';
import { segmentPack } from '../support/segment-pack.js';

// The diff behind `tplus rules diff` and the registry's --expect-changes guard must see a change that only
// touches a segment rule or a settlement type's terms: such a pack answers some requests differently.

const dir = segmentPack();
afterAll(() => dir.remove());
const compiled = compilePack(dir.path, { today: TODAY });
if (!compiled.document) throw new Error(compiled.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
const segmentDoc: RulesetDocument = compiled.document;
const rs = (doc: RulesetDocument): Ruleset => new Ruleset(doc, { version: 0, hash: 'test' });
const withRule = (doc: RulesetDocument, id: string, change: (r: RuleDocument) => RuleDocument): RulesetDocument => {
  if (!doc.rules.some((r) => r.id === id)) throw new Error(`no rule ${id}`);
  return { ...doc, rules: doc.rules.map((r) => (r.id === id ? change(r) : r)) };
};
const withType = (doc: RulesetDocument, id: string, type: string, change: Partial<SettlementTypeTerms>): RulesetDocument =>
  withRule(doc, id, (r) => ({ ...r, settlementTypes: (r.settlementTypes ?? []).map((t) => (t.type === type ? { ...t, ...change } : t)) }));

describe('rules diff sees segment rules', () => {
  it('a tranche moved a week later shows its trade dates answered at T+2 instead of T+1, named by segment', () => {
    const after = withRule(segmentDoc, 'xtst-tranche-a-t1', (r) => ({ ...r, from: '2022-03-04' }));
    const ranges = diffRulesets(rs(segmentDoc), rs(after), parseDay('2022-02-21'), parseDay('2022-03-11'));
    expect(ranges.map((r) => [r.market, r.assetClass, r.segment, r.from, r.to, r.changedDates])).toEqual([
      ['XTST', 'EQUITY', 'TRANCHE-A', '2022-02-25', '2022-02-25', 1],
      ['XTST', 'EQUITY', 'TRANCHE-A', '2022-02-28', '2022-03-03', 4],
    ]);
    expect(ranges[0]?.examples[0]).toEqual({ tradeDate: '2022-02-25', before: '2022-02-28', after: '2022-03-01' });
    expect(ranges[0]?.settlementType).toBeUndefined();
  });

  it('a new segment rule is a change for that segment only', () => {
    const { rules } = segmentDoc;
    const tranche = rules.find((r) => r.id === 'xtst-tranche-b-t1');
    if (!tranche) throw new Error('no tranche B');
    const after = { ...segmentDoc, rules: [...rules, { ...tranche, id: 'xtst-tranche-c-t1', segment: 'TRANCHE-C', from: '2022-03-07' }] };
    const ranges = diffRulesets(rs(segmentDoc), rs(after), parseDay('2022-03-07'), parseDay('2022-03-07'));
    expect(ranges).toEqual([
      {
        assetClass: 'EQUITY',
        market: 'XTST',
        segment: 'TRANCHE-C',
        from: '2022-03-07',
        to: '2022-03-07',
        changedDates: 1,
        examples: [{ tradeDate: '2022-03-07', before: '2022-03-09', after: '2022-03-08' }],
      },
    ]);
  });
});

describe('rules diff sees settlement-type terms', () => {
  const { pack } = bundled();
  if (!pack.document) throw new Error('bundled pack');
  const doc = pack.document;
  const window = [parseDay('2025-03-03'), parseDay('2025-03-07')] as const;

  it('CASH moved from T+0 to T+1 shows moved settlement dates for CASH trades', () => {
    const after = withType(doc, 'us-equity-xnys-t1', 'CASH', { days: 1 });
    const ranges = diffRulesets(rs(doc), rs(after), ...window);
    expect(ranges.map((r) => [r.market, r.assetClass, r.settlementType, r.from, r.to, r.changedDates])).toEqual([
      ['XNYS', 'EQUITY', 'CASH', '2025-03-03', '2025-03-07', 5],
    ]);
    expect(ranges[0]?.examples[0]).toEqual({ tradeDate: '2025-03-03', before: '2025-03-03', after: '2025-03-04' });
  });

  it("a seller's option bound (no date of its own: the request picks it) is listed as a terms change with both bounds", () => {
    const after = withType(doc, 'us-equity-xnas-t1', 'SELLERS_OPTION', { maxCalendarDays: 60 });
    const ranges = diffRulesets(rs(doc), rs(after), ...window);
    expect(ranges.map((r) => [r.market, r.assetClass, r.settlementType, r.from, r.to, r.changedDates])).toEqual([
      ['XNAS', 'EQUITY', 'SELLERS_OPTION', '2025-03-03', '2025-03-07', 5],
    ]);
    expect(ranges[0]?.examples[0]).toEqual({
      tradeDate: '2025-03-03',
      before: 'terms: option_days at least 2 business days, settling at most 180 calendar days after the trade date',
      after: 'terms: option_days at least 2 business days, settling at most 60 calendar days after the trade date',
    });
  });

  it('a closure moves the regular answer; it is not repeated for every type, whose terms did not change', () => {
    const closed = {
      ...doc,
      calendars: doc.calendars.map((c) =>
        c.id === 'XNYS' || c.id === 'US-SETTLEMENT'
          ? {
              ...c,
              holidays: [...c.holidays, { date: '2025-03-05', name: 'Emergency closure', closesSettlement: true }].sort((x, y) =>
                x.date.localeCompare(y.date),
              ),
            }
          : c,
      ),
    };
    const ranges = diffRulesets(rs(doc), rs(closed), ...window);
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.filter((r) => r.settlementType !== undefined)).toEqual([]);
    expect(ranges.find((r) => r.market === 'XNYS' && r.assetClass === 'EQUITY')?.examples).toContainEqual({
      tradeDate: '2025-03-05',
      before: '2025-03-06',
      after: 'NOT_A_TRADING_DAY',
    });
  });

  it('a type the new pack no longer defines is a change; a changed source citation is not', () => {
    const dropped = withRule(doc, 'us-etf-xnys-t1', (r) => ({
      ...r,
      settlementTypes: (r.settlementTypes ?? []).filter((t) => t.type !== 'WHEN_ISSUED'),
    }));
    const ranges = diffRulesets(rs(doc), rs(dropped), ...window);
    expect(ranges.map((r) => [r.market, r.assetClass, r.settlementType, r.changedDates])).toEqual([['XNYS', 'ETF', 'WHEN_ISSUED', 5]]);
    expect(ranges[0]?.examples[0]?.after).toBe('not defined');
    const recited = withType(doc, 'us-etf-xnys-t1', 'CASH', { source: 'another citation' });
    expect(diffRulesets(rs(doc), rs(recited), ...window)).toEqual([]);
  });
});
