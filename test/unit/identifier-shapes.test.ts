import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecisionError } from '@tplus/core';
import { checkIdentifier, IDENTIFIER_SHAPES, isAssetClass, isMarket, MAX_IDENTIFIER_LENGTH, shownValue } from '@tplus/core';

/** Strings near the shapes: short, mostly from the characters the shapes care about. */
const nearShape = fc.string({ unit: fc.constantFrom('A', 'Z', 'a', '0', '9', '_', '-', '.', ' ', 'É', '\u0000'), maxLength: 40 });

describe('identifier shapes', () => {
  it('the char loops accept exactly what the patterns accept', () => {
    fc.assert(
      fc.property(fc.oneof(nearShape, fc.string({ maxLength: 40 })), (s) => {
        expect(isMarket(s)).toBe(IDENTIFIER_SHAPES.market.pattern.test(s));
        expect(isAssetClass(s)).toBe(IDENTIFIER_SHAPES.asset_class.pattern.test(s));
      }),
      { numRuns: 20_000, seed: 20261201 },
    );
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
