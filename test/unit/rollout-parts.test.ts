import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { isExpected, parseExpectedChanges } from '../../server/src/registry/expect-changes.js';
import { percentBucket } from '../../server/src/registry/server/fleet-state.js';
import type { CandidateRow } from '../../server/src/registry/server/rollout-store.js';
import { selected } from '../../server/src/registry/server/start-rollout.js';
import { ShadowEvaluator } from '../../server/src/sidecar/shadow-evaluator.js';
import { parseLabels } from '../../server/src/sync/rollout-identity.js';
import { Ruleset, parseDay, type RulesetDocument } from '@tplus/core';
import { bundled } from '../support/bundled.js';

const row = (over: Partial<CandidateRow>): CandidateRow => ({
  version: 7,
  stage: 'rolling',
  expectChanges: [],
  selector: {},
  percent: 0,
  nacks: 0,
  lastNack: '',
  updatedAt: '',
  ...over,
});

/** The bundled ruleset with every settlement cycle one day longer: every answer changes. */
function longer(r: Ruleset): Ruleset {
  const doc: RulesetDocument = r.document;
  return new Ruleset({ ...doc, rules: doc.rules.map((x) => ({ ...x, cycleDays: x.cycleDays + 1 })) }, { version: 2, hash: 'x' });
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('declarations, labels and selection', () => {
  it('parses FROM..TO[@MIC,...]; a date or market outside is not expected', () => {
    const d = parseExpectedChanges(['2030-03-01..2030-03-31@XNYS,XNAS', '2031-01-01..2031-01-01']);
    expect(isExpected(d, parseDay('2030-03-12'), 'XNYS')).toBe(true);
    expect(isExpected(d, parseDay('2030-03-12'), 'XLON')).toBe(false);
    expect(isExpected(d, parseDay('2030-04-01'), 'XNYS')).toBe(false);
    expect(isExpected(d, parseDay('2031-01-01'), 'XLON')).toBe(true);
    expect(isExpected([], parseDay('2031-01-01'), 'XLON')).toBe(false);
    expect(() => parseExpectedChanges(['2030-03-01..2030-02-01'])).toThrow('expect_changes "2030-03-01..2030-02-01" ends before it starts');
  });

  it('labels are KEY=VALUE pairs; a malformed or repeated one is named', () => {
    expect(parseLabels('site=ny, role=canary')).toEqual({ site: 'ny', role: 'canary' });
    expect(parseLabels('')).toEqual({});
    expect(() => parseLabels('site')).toThrow('"site" is not KEY=VALUE');
    expect(() => parseLabels('a=1,a=2')).toThrow('label a given twice');
  });

  it('a selector matches when every label matches; a percent selects a stable share, the same one every time', () => {
    expect(selected(row({ selector: { role: 'canary' } }), 's1', { role: 'canary', site: 'ny' })).toBe(true);
    expect(selected(row({ selector: { role: 'canary', site: 'ld' } }), 's1', { role: 'canary', site: 'ny' })).toBe(false);
    expect(selected(row({ stage: 'candidate', selector: { role: 'canary' } }), 's1', { role: 'canary' })).toBe(false);
    expect(selected(row({ stage: 'halted', selector: { role: 'canary' } }), 's1', { role: 'canary' })).toBe(false);
    const ids = Array.from({ length: 1000 }, (_, i) => `host-${i}`);
    const picked = ids.filter((id) => selected(row({ percent: 10 }), id, {}));
    expect(picked.length).toBeGreaterThan(60);
    expect(picked.length).toBeLessThan(140);
    expect(ids.filter((id) => selected(row({ percent: 10 }), id, {}))).toEqual(picked);
    expect(ids.every((id) => percentBucket(id, 7) === percentBucket(id, 7))).toBe(true);
    expect(ids.filter((id) => selected(row({ percent: 100 }), id, {}))).toHaveLength(1000);
  });
});

describe('ShadowEvaluator', () => {
  const live = bundled().ruleset;
  const moved = {
    tradeDate: '2030-03-12',
    assetClass: 'EQUITY',
    market: 'XNYS',
    correlationId: '',
    settlementType: '',
    settlementDate: '',
    segment: '',
  };

  it('evaluates off the call: offer only queues; the drain counts same, expected and unexpected changes and keeps samples', async () => {
    const registry = new Registry();
    const shadow = new ShadowEvaluator(registry, 'sc-1');
    shadow.set(2, longer(live), parseExpectedChanges(['2030-03-01..2030-03-31@XNYS']));
    shadow.offer(live, moved);
    shadow.offer(live, { ...moved, market: 'XNAS' });
    shadow.offer(live, { ...moved, rulesetVersion: 1 }); // pinned: never shadowed
    expect(shadow.report()?.totals).toEqual({ same: 0, expectedChange: 0, unexpectedChange: 0, error: 0, dropped: 0 });
    await nextTurn();
    const r = shadow.report();
    expect(r?.totals).toEqual({ same: 0, expectedChange: 1, unexpectedChange: 1, error: 0, dropped: 0 });
    expect(r?.changes).toEqual([
      { market: 'XNYS', tradeDate: '2030-03-12', outcome: 'expected_change', count: 1 },
      { market: 'XNAS', tradeDate: '2030-03-12', outcome: 'unexpected_change', count: 1 },
    ]);
    expect(r?.samples[0]).toMatchObject({
      liveAnswer: '2030-03-13',
      shadowAnswer: '2030-03-14',
      outcome: 'expected_change',
      sidecarId: 'sc-1',
    });
    expect(await registry.getSingleMetricAsString('tplus_shadow_decisions_total')).toMatch(/outcome="unexpected_change"} 1/);
    shadow.set(2, live, []);
    shadow.offer(live, moved);
    await nextTurn();
    expect(shadow.report()?.totals.same).toBe(1);
  });

  it('a typed request is shadowed with its type: a candidate that only lengthens regular cycles changes no CASH answer', async () => {
    const shadow = new ShadowEvaluator(new Registry(), 'sc-1');
    shadow.set(2, longer(live), []);
    shadow.offer(live, { ...moved, settlementType: 'CASH' });
    shadow.offer(live, moved);
    await nextTurn();
    expect(shadow.report()?.totals).toEqual({ same: 1, expectedChange: 0, unexpectedChange: 1, error: 0, dropped: 0 });
    expect(shadow.report()?.samples.map((x) => [x.liveAnswer, x.shadowAnswer])).toEqual([['2030-03-13', '2030-03-14']]);
  });

  it('under pressure the queue stays bounded: what does not fit is counted as dropped, never evaluated on the call', async () => {
    const registry = new Registry();
    const shadow = new ShadowEvaluator(registry, 'sc-1', { queueSize: 4, perTurn: 2, samplesPerOutcome: 1, maxChangeKeys: 1 });
    shadow.set(3, longer(live), []);
    for (let i = 0; i < 10; i++) shadow.offer(live, moved);
    expect(shadow.report()?.totals.dropped).toBe(6);
    for (let i = 0; i < 3; i++) await nextTurn();
    expect(shadow.report()?.totals).toMatchObject({ unexpectedChange: 4, dropped: 6 });
    expect(shadow.report()?.samples).toHaveLength(1);
    expect(await registry.getSingleMetricAsString('tplus_shadow_dropped_total')).toMatch(/tplus_shadow_dropped_total 6/);
    shadow.clear();
    shadow.offer(live, moved);
    expect(shadow.report()).toBeNull();
  });
});
