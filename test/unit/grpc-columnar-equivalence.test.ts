import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDecisionError } from '@tplus/core';
import { dayToYmdInt, formatDay, parseDay } from '@tplus/core';
import { decideColumnar } from '../../server/src/sidecar/decide-columnar.js';
import { termsOf } from '../../server/src/sidecar/decide-rows.js';
import type { InstrumentKey } from '../../server/src/sidecar/wire-types.js';
import { DecisionTally } from '../../server/src/sidecar/decision-tally.js';
import { grpcStatusOf } from '../../server/src/rpc/to-grpc-status.js';
import type { RulesetSnapshot } from '../../server/src/store/ruleset-snapshot.js';
import { bundled } from '../support/bundled.js';

const ruleset = bundled().ruleset;
const held = { ruleset, source: 'test', publishedAt: '2026-11-27T00:00:00Z', signed: null };
const snapshot: RulesetSnapshot = {
  active: held,
  held: new Map([[ruleset.version, held]]),
  loadedAt: '2026-11-27T00:00:00Z',
  lastActivatedVersion: 0,
};
const NO_TERMS = { segment: '', settlementType: '', settlementDate: '' };
const KEYS: InstrumentKey[] = [
  ...new Map(
    ruleset.rules.map((r) => [`${r.assetClass} ${r.market}`, { assetClass: r.assetClass, market: r.market, ...NO_TERMS }]),
  ).values(),
  { assetClass: 'EQUITY', market: 'QQQQ', ...NO_TERMS },
  { assetClass: '', market: 'XNYS', ...NO_TERMS },
  { assetClass: 'EQUITY', market: '', ...NO_TERMS },
  // Keys with a settlement type or a segment take the canonical path with their terms.
  { assetClass: 'EQUITY', market: 'XNYS', ...NO_TERMS, settlementType: 'CASH' },
  { assetClass: 'ETF', market: 'XNAS', ...NO_TERMS, settlementType: 'SELLERS_OPTION', optionDays: 3 },
  { assetClass: 'EQUITY', market: 'ARCX', ...NO_TERMS, settlementType: 'WHEN_ISSUED', settlementDate: '2030-01-15' },
  { assetClass: 'EQUITY', market: 'XNYS', ...NO_TERMS, segment: 'NOT-IN-PACK' },
  { assetClass: 'EQUITY', market: 'XNYS', ...NO_TERMS, settlementType: 'BOGUS' },
];
const FROM = parseDay('1999-06-01');
const TO = parseDay('2036-06-30');

/** What Ruleset.decide says for one item: `YYYYMMDD` or the error code. */
function canonical(day: number, key: InstrumentKey, allow: boolean): string {
  try {
    return String(dayToYmdInt(parseDay(ruleset.decide(formatDay(day), key.assetClass, key.market, allow, termsOf(key)).settlementDate)));
  } catch (err) {
    if (isDecisionError(err)) return err.code;
    throw err;
  }
}

describe('the columnar fast path decides exactly as Ruleset.decide', () => {
  it('for random trade days (1999–2036, every market in the pack, unknown and empty keys, both allow flags)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: FROM, max: TO }), fc.integer({ min: 0, max: KEYS.length - 1 })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.boolean(),
        (items, allow) => {
          const res = decideColumnar(
            snapshot,
            { tradeDates: items.map(([d]) => dayToYmdInt(d)), keys: KEYS, keyIndexes: items.map(([, k]) => k), allowNonTradingDay: allow },
            100_000,
            new DecisionTally(),
            (e) => {
              throw e;
            },
          );
          const errors = new Map(res.errors.map((e) => [e.index, e.code]));
          items.forEach(([day, k], i) => {
            const want = canonical(day, KEYS[k] as (typeof KEYS)[number], allow);
            const got = res.statusCodes[i] === 0 ? String(res.settlementDates[i]) : errors.get(i);
            expect(got, `${formatDay(day)} ${JSON.stringify(KEYS[k])} allow=${allow}`).toBe(want);
            if (res.statusCodes[i] !== 0) expect(res.statusCodes[i]).toBe(grpcStatusOf(want as never));
            else
              expect(res.ruleIds[res.ruleIndexes[i] as number]).toBe(
                ruleset.decide(formatDay(day), KEYS[k]?.assetClass ?? '', KEYS[k]?.market ?? '', allow, termsOf(KEYS[k] as InstrumentKey))
                  .rule.id,
              );
          });
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('names the item and value for invalid YYYYMMDD integers and out-of-range key indexes', () => {
    const res = decideColumnar(
      snapshot,
      { tradeDates: [20240230, 0, 20240528], keys: [{ assetClass: 'EQUITY', market: 'XNYS', ...NO_TERMS }], keyIndexes: [0, 0, 7] },
      10,
      new DecisionTally(),
      () => undefined,
    );
    expect(res.errors).toEqual([
      { index: 0, code: 'INVALID_DATE', message: 'trade_dates[0] 20240230 is not a valid YYYYMMDD date' },
      { index: 1, code: 'INVALID_DATE', message: 'trade_dates[1] 0 is not a valid YYYYMMDD date' },
      { index: 2, code: 'INVALID_ARGUMENT', message: 'key_indexes[2] 7 is out of range: the request has 1 keys' },
    ]);
    expect(res.statusCodes).toEqual([3, 3, 3]);
  });
});
