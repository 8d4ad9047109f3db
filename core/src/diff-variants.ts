import { DecisionError } from './decision-error.js';
import type { DayNumber } from './date.js';
import type { Ruleset } from './ruleset.js';
import { SETTLEMENT_TYPES, type NonRegularType, type SettlementTypeTerms } from './settlement-type.js';

/**
 * One question the diff asks both rulesets for every trade date of a (asset class, market): the regular
 * answer for the market default (segment '') or for one segment, or the answer for one non-regular type.
 */
export interface DiffVariant {
  readonly segment: string;
  readonly settlementType: NonRegularType | null;
}

/** The outcome of a segment question that the market default answers: the default's own variant covers it. */
export const FROM_DEFAULT = '\u0000default';

/**
 * What to compare for a key: the default's regular answer, then each segment named by a rule of the key
 * in either ruleset, then each non-regular type defined by a rule of the key in either, for the default
 * and each segment. A key with neither asks one question, as before segments and types existed.
 */
export function variantsOf(before: Ruleset, after: Ruleset, assetClass: string, market: string): DiffVariant[] {
  const rules = [...before.rulesFor(assetClass, market), ...after.rulesFor(assetClass, market)];
  const segments = ['', ...[...new Set(rules.flatMap((r) => (r.segment === null ? [] : [r.segment])))].sort()];
  const defined = new Set(rules.flatMap((r) => r.settlementTypes.map((t) => t.type)));
  const types = SETTLEMENT_TYPES.filter((t): t is NonRegularType => t !== 'REGULAR' && defined.has(t));
  return [
    ...segments.map((segment) => ({ segment, settlementType: null })),
    ...types.flatMap((settlementType) => segments.map((segment) => ({ segment, settlementType }))),
  ];
}

/**
 * The bounds of a type whose date the request chooses (SELLERS_OPTION's option_days, WHEN_ISSUED's
 * announced date), as text: no trade date has a date of its own to compare, so the terms are compared.
 */
export function describeTerms(terms: SettlementTypeTerms): string {
  const max = terms.maxCalendarDays;
  if (terms.type === 'SELLERS_OPTION') {
    return `terms: option_days at least ${terms.minDays ?? 0} business days${max === null ? '' : `, settling at most ${max} calendar days after the trade date`}`;
  }
  return `terms: settlement_date a settlement day on or after the trade date${max === null ? '' : `, at most ${max} calendar days after it`}`;
}

/**
 * The answer to `variant` on one trade date as comparable text: for the regular answer a settlement date
 * or an error code; for a type its terms as the pack defines them (typeTerms), "not defined", or the
 * code of a missing rule; FROM_DEFAULT for a segment whose own rules are not in force that day. A type's
 * terms leave the calendars out: a closure that moves every type's date is the regular answer's change,
 * not repeated per type.
 */
export function variantOutcome(
  ruleset: Ruleset,
  day: DayNumber,
  tradeDate: string,
  assetClass: string,
  market: string,
  variant: DiffVariant,
): string {
  const { segment, settlementType } = variant;
  try {
    if (segment === '' && settlementType === null) return ruleset.decide(tradeDate, assetClass, market).settlementDate;
    const rule = ruleset.findRule(day, tradeDate, assetClass, market, segment);
    if (segment !== '' && rule.segment !== segment) return FROM_DEFAULT;
    if (settlementType === null) return ruleset.decide(tradeDate, assetClass, market, false, { segment }).settlementDate;
    const terms = rule.termsByType[settlementType];
    if (terms === null) return 'not defined';
    return settlementType === 'CASH' || settlementType === 'NEXT_DAY' ? `terms: ${terms.days ?? 0} business days` : describeTerms(terms);
  } catch (e) {
    if (e instanceof DecisionError) return e.code;
    throw e;
  }
}

/**
 * For a type whose terms differ on a trade date: what a request of that type gets, as shown in the diff.
 * CASH and NEXT_DAY: the settlement date (or the error code), so a change of days reads as moved dates;
 * SELLERS_OPTION and WHEN_ISSUED, dated by the request: the terms, or NOT_A_TRADING_DAY on a closed day.
 */
export function typedOutcome(
  ruleset: Ruleset,
  day: DayNumber,
  tradeDate: string,
  assetClass: string,
  market: string,
  variant: DiffVariant,
): string {
  const { segment, settlementType } = variant;
  if (settlementType === null) return variantOutcome(ruleset, day, tradeDate, assetClass, market, variant);
  try {
    const rule = ruleset.findRule(day, tradeDate, assetClass, market, segment);
    const terms = rule.termsByType[settlementType];
    if (terms === null) return 'not defined';
    if (settlementType === 'CASH' || settlementType === 'NEXT_DAY')
      return ruleset.decide(tradeDate, assetClass, market, false, { segment, settlementType }).settlementDate;
    const trading = rule.tradingCalendar;
    if (trading !== null && !trading.isBusinessDay(day, 'trade_date')) return 'NOT_A_TRADING_DAY';
    return describeTerms(terms);
  } catch (e) {
    if (e instanceof DecisionError) return e.code;
    throw e;
  }
}
