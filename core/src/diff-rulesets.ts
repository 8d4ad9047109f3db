import { formatDay, parseDay, type DayNumber } from './date.js';
import { FROM_DEFAULT, typedOutcome, variantOutcome, variantsOf } from './diff-variants.js';
import type { Ruleset } from './ruleset.js';
import type { NonRegularType } from './settlement-type.js';

export interface DiffExample {
  readonly tradeDate: string;
  readonly before: string;
  readonly after: string;
}

/**
 * A run of consecutive trade dates of one key whose answer changes between two rulesets. `segment` is
 * set when the change is in a segment's own rules (requests naming that segment); `settlementType` when
 * it is in a non-regular type's answer. CASH and NEXT_DAY compare settlement dates; SELLERS_OPTION and
 * WHEN_ISSUED, whose date the request chooses, compare the pack's bounds, and their examples read
 * "terms: ..." (or "not defined" where a pack does not define the type).
 */
export interface DiffRange {
  readonly assetClass: string;
  readonly market: string;
  readonly segment?: string;
  readonly settlementType?: NonRegularType;
  readonly from: string;
  readonly to: string;
  readonly changedDates: number;
  readonly examples: readonly DiffExample[];
}

/**
 * "XNYS EQUITY", "XTST EQUITY segment TRANCHE-A", "XNYS EQUITY SELLERS_OPTION": what a range is about, for
 * messages. Takes a core range or a wire one (where an absent segment or type is the empty string).
 */
export function rangeKey(range: {
  readonly market: string;
  readonly assetClass: string;
  readonly segment?: string | undefined;
  readonly settlementType?: string | undefined;
}): string {
  const { segment, settlementType } = range;
  return `${range.market} ${range.assetClass}${segment === undefined || segment === '' ? '' : ` segment ${segment}`}${settlementType === undefined || settlementType === '' ? '' : ` ${settlementType}`}`;
}

/**
 * How many (key, trade date) comparisons `diffSteps` makes between two yields: small enough that a
 * caller driving it can give the event loop back within a few milliseconds.
 */
export const DIFF_STEP_COMPARISONS = 256;

function keysOf(ruleset: Ruleset): string[] {
  return ruleset.rules.map((r) => `${r.assetClass}\u0000${r.market}`);
}

/**
 * The diff as a generator: it yields the number of comparisons made so far every
 * DIFF_STEP_COMPARISONS comparisons and returns the ranges. Pure and synchronous; the caller decides
 * when to resume it (a server yields to its event loop in between and stops resuming when the call is
 * cancelled), so the domain needs neither a clock nor I/O.
 */
export function* diffSteps(
  before: Ruleset,
  after: Ruleset,
  from: DayNumber,
  to: DayNumber,
  maxExamples = 3,
): Generator<number, DiffRange[], void> {
  const keys = [...new Set([...keysOf(before), ...keysOf(after)])].sort();
  const out: DiffRange[] = [];
  let compared = 0;
  for (const key of keys) {
    const [assetClass = '', market = ''] = key.split('\u0000');
    for (const variant of variantsOf(before, after, assetClass, market)) {
      const { segment, settlementType } = variant;
      const named = { assetClass, market, ...(segment === '' ? {} : { segment }), ...(settlementType === null ? {} : { settlementType }) };
      let open: { from: string; to: string; changedDates: number; examples: DiffExample[] } | null = null;
      for (let day = from; day <= to; day++) {
        if (++compared % DIFF_STEP_COMPARISONS === 0) yield compared;
        const tradeDate = formatDay(day);
        let a = variantOutcome(before, day, tradeDate, assetClass, market, variant);
        let b = variantOutcome(after, day, tradeDate, assetClass, market, variant);
        // A segment answered by the market default in one ruleset: compare with what the default answers there.
        if (a !== b && a === FROM_DEFAULT) a = variantOutcome(before, day, tradeDate, assetClass, market, { segment: '', settlementType });
        if (a !== b && b === FROM_DEFAULT) b = variantOutcome(after, day, tradeDate, assetClass, market, { segment: '', settlementType });
        // A type whose terms changed: compared (and shown) as what a request of that type gets.
        if (a !== b && settlementType !== null) {
          a = typedOutcome(before, day, tradeDate, assetClass, market, variant);
          b = typedOutcome(after, day, tradeDate, assetClass, market, variant);
        }
        if (a === b) {
          if (open) out.push({ ...named, ...open });
          open = null;
          continue;
        }
        open ??= { from: tradeDate, to: tradeDate, changedDates: 0, examples: [] };
        open.to = tradeDate;
        open.changedDates++;
        if (open.examples.length < maxExamples) open.examples.push({ tradeDate, before: a, after: b });
      }
      if (open) out.push({ ...named, ...open });
    }
  }
  return out;
}

/**
 * Every trade date in [from, to] whose answer differs between `before` and `after`, grouped into ranges
 * per (asset class, market). Ranges that are interrupted only by days answering the same are split.
 * Runs to the end in one go: for a local command; a server drives `diffSteps` instead.
 */
export function diffRulesets(
  before: Ruleset,
  after: Ruleset,
  from: DayNumber = parseDay('2000-01-01'),
  to: DayNumber = parseDay('2035-12-31'),
  maxExamples = 3,
): DiffRange[] {
  const steps = diffSteps(before, after, from, to, maxExamples);
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}
