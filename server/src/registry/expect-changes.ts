import { INVALID_DAY, parseDay, type DayNumber } from '@tplus/core';

/** One declared change: trade dates FROM..TO (inclusive), optionally only some markets. */
export interface ExpectedChange {
  readonly from: DayNumber;
  readonly to: DayNumber;
  /** Empty: every market. */
  readonly markets: readonly string[];
  readonly text: string;
}

const SHAPE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})(?:@([A-Z0-9]{4}(?:,[A-Z0-9]{4})*))?$/;

/**
 * Parses `--expect-changes` items (`FROM..TO[@MIC,MIC]`); throws a RangeError naming the item and
 * what is wrong with it.
 */
export function parseExpectedChanges(items: readonly string[]): readonly ExpectedChange[] {
  return items.map((text) => {
    const m = SHAPE.exec(text);
    if (!m) throw new RangeError(`expect_changes ${JSON.stringify(text)} is not FROM..TO[@MIC,...] (e.g. 2030-03-01..2030-03-31@XNYS)`);
    const from = parseDay(m[1] ?? '');
    const to = parseDay(m[2] ?? '');
    if (from === INVALID_DAY || to === INVALID_DAY) throw new RangeError(`expect_changes ${JSON.stringify(text)} holds an invalid date`);
    if (to < from) throw new RangeError(`expect_changes ${JSON.stringify(text)} ends before it starts`);
    return { from, to, markets: m[3] === undefined ? [] : m[3].split(','), text };
  });
}

/** True when a change of (trade date, market) was declared. */
export function isExpected(declared: readonly ExpectedChange[], tradeDay: DayNumber, market: string): boolean {
  for (const d of declared) {
    if (tradeDay >= d.from && tradeDay <= d.to && (d.markets.length === 0 || d.markets.includes(market))) return true;
  }
  return false;
}
