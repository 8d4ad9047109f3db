import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDecisionError } from '@tplus/core';
import { dayToYmdInt, formatDay, parseDay } from '@tplus/core';
import { decideColumnar } from '../../server/src/sidecar/decide-columnar.js';
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
const KEYS = [
  ...new Map(ruleset.rules.map((r) => [`${r.assetClass} ${r.market}`, { assetClass: r.assetClass, market: r.market }])).values(),
  { assetClass: 'EQUITY', market: 'QQQQ' },
  { assetClass: '', market: 'XNYS' },
  { assetClass: 'EQUITY', market: '' },
];
const FROM = parseDay('1999-06-01');
const TO = parseDay('2036-06-30');

/** What Ruleset.decide says for one item: `YYYYMMDD` or the error code. */
function canonical(day: number, key: { assetClass: string; market: string }, allow: boolean): string {
  try {
    return String(dayToYmdInt(parseDay(ruleset.decide(formatDay(day), key.assetClass, key.market, allow).settlementDate)));
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
                ruleset.decide(formatDay(day), KEYS[k]?.assetClass ?? '', KEYS[k]?.market ?? '', allow).rule.id,
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
      { tradeDates: [20240230, 0, 20240528], keys: [{ assetClass: 'EQUITY', market: 'XNYS' }], keyIndexes: [0, 0, 7] },
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
