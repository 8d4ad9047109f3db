/**
 * decide() checks asset_class and market only when the index has no rule for them (a key it holds is
 * the pack's own text, whose shape the compiler checked). Whatever the caller sends, the answer must be
 * the same as checking first: INVALID_ARGUMENT naming the field for a value of the wrong shape (asset
 * class before market), else a decision or NO_RULE, never NO_RULE for a malformed value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecisionError, IDENTIFIER_SHAPES } from '@tplus/core';
import { bundled } from '../support/bundled.js';

describe('decide(): identifiers checked on a miss only, answered as if checked first', () => {
  const { ruleset } = bundled();
  const markets = [...new Set(ruleset.rules.map((r) => r.market))];
  const classes = [...new Set(ruleset.rules.map((r) => r.assetClass))];
  /** Pack identifiers, their near misses (case, one character more or less, spaces) and noise. */
  const identifier = (known: string[]): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constantFrom(...known),
      fc.constantFrom(...known).map((v) => v.toLowerCase()),
      fc.constantFrom(...known).map((v) => `${v}X`),
      fc.constantFrom(...known).map((v) => v.slice(1)),
      fc.constantFrom(...known).map((v) => ` ${v}`),
      fc.constantFrom('', 'XXXX', 'ZZZ9', 'EQUITY', 'BOND_9', 'É', 'XNYS\u0000', 'A'.repeat(40)),
      fc.string({ maxLength: 8 }),
    );

  it('INVALID_ARGUMENT exactly when a value does not have its shape; otherwise a decision or NO_RULE', () => {
    fc.assert(
      fc.property(identifier(classes), identifier(markets), (assetClass, market) => {
        const expected = !IDENTIFIER_SHAPES.asset_class.pattern.test(assetClass)
          ? 'asset_class'
          : !IDENTIFIER_SHAPES.market.pattern.test(market)
            ? 'market'
            : null;
        let code = 'OK';
        let field: unknown = null;
        try {
          ruleset.decide('2025-03-12', assetClass, market, true);
        } catch (e) {
          if (!(e instanceof DecisionError)) throw e;
          code = e.code;
          field = e.details['field'];
        }
        if (expected === null) expect(['OK', 'NO_RULE']).toContain(code);
        else expect({ code, field }).toEqual({ code: 'INVALID_ARGUMENT', field: expected });
      }),
      { numRuns: 2_000 },
    );
  });
});
