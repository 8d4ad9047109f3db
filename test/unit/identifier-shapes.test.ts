import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecisionError } from '@tplus/core';
import { checkIdentifier, IDENTIFIER_SHAPES, isAssetClass, isMarket, isSegment, MAX_IDENTIFIER_LENGTH, shownValue } from '@tplus/core';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Strings near the shapes: short, mostly from the characters the shapes care about. */
const nearShape = fc.string({ unit: fc.constantFrom('A', 'Z', 'a', '0', '9', '_', '-', '.', ' ', 'É', '\u0000'), maxLength: 40 });

describe('identifier shapes', () => {
  it('the char loops accept exactly what the patterns accept', () => {
    fc.assert(
      fc.property(fc.oneof(nearShape, fc.string({ maxLength: 40 })), (s) => {
        expect(isMarket(s)).toBe(IDENTIFIER_SHAPES.market.pattern.test(s));
        expect(isAssetClass(s)).toBe(IDENTIFIER_SHAPES.asset_class.pattern.test(s));
        expect(isSegment(s)).toBe(IDENTIFIER_SHAPES.segment.pattern.test(s));
      }),
      { numRuns: 20_000, seed: 20261201 },
    );
  });

  it('isSegment remembers the last segment that passed, and answers the pattern in any order of calls', () => {
    // A small pool, so that a value often repeats the one before it (the remembered one), as a copy or the
    // same string, between values of every shape.
    const pool = fc.constantFrom('T1-2022-02-25', 'TRANCHE_1', 'A', 'a', 'T1 2022', '-T1', 'Z'.repeat(32), 'Z'.repeat(33), '', 'É');
    const value = fc.oneof(
      pool,
      pool.map((v) => v.split('').join('')),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), (values) => {
        for (const v of values) expect(isSegment(v), JSON.stringify(v)).toBe(IDENTIFIER_SHAPES.segment.pattern.test(v));
      }),
      { numRuns: 2_000, seed: 20261202 },
    );
  });

  it('isSegment keeps no caller text alive: a segment cut out of a large string does not hold that string', () => {
    // V8 shares the characters of a cut of 13 or more characters with the string it was cut from.
    const heap = (): number => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = heap();
    let parent: string | null = `${'x'.repeat(64 << 20)}SEGMENT-FROM-A-LARGE-TEXT`;
    // 12 characters (kept as it is: V8 copied them out of the string), then 25 (isSegment keeps a copy).
    expect(isSegment(parent.slice(64 << 20, (64 << 20) + 12))).toBe(true);
    expect(isSegment(parent.slice(64 << 20))).toBe(true);
    expect(heap() - before).toBeGreaterThan(48 << 20); // the measure sees the large string while it is held
    parent = null;
    // Under vitest (not under plain node) the runtime also keeps the last string read character by
    // character reachable until the next such read: move it on with another identifier, which leaves
    // what isSegment remembers as it is.
    expect(isAssetClass('B')).toBe(true);
    expect(heap() - before).toBeLessThan(16 << 20);
    // A 12-character cut remembered as it is holds nothing else either (V8 copies cuts that short).
    let other: string | null = `${'y'.repeat(64 << 20)}SHORT-CUT-12`;
    expect(isSegment(other.slice(64 << 20))).toBe(true);
    other = null;
    expect(isAssetClass('B')).toBe(true);
    expect(heap() - before).toBeLessThan(16 << 20);
  });

  it('MAX_IDENTIFIER_LENGTH is the longest each pattern accepts', () => {
    for (const kind of ['market', 'asset_class', 'calendar_id'] as const) {
      const n = MAX_IDENTIFIER_LENGTH[kind];
      expect(IDENTIFIER_SHAPES[kind].pattern.test('A'.repeat(n))).toBe(true);
      expect(IDENTIFIER_SHAPES[kind].pattern.test('A'.repeat(n + 1))).toBe(false);
    }
  });

  it('refuses with INVALID_ARGUMENT naming the field and a value cut to 40 characters plus its length', () => {
    const err = (() => {
      try {
        checkIdentifier('x'.repeat(1_000_000), 'market');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(DecisionError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'market', value: `${'x'.repeat(40)}…(1000000 chars)` } });
    expect((err as DecisionError).message).toBe(
      `market "${'x'.repeat(40)}…(1000000 chars)" is not an ISO 10383 MIC (4 upper-case letters or digits)`,
    );
    expect(() => checkIdentifier('', 'calendar_id')).toThrow('calendar_id must not be empty');
    expect(shownValue('XNYS')).toBe('XNYS');
  });
});
