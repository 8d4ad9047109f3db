import { DecisionError } from './decision-error.js';

/**
 * The delivery terms a trade can be booked on (FINRA Uniform Practice Code Rule 11320 and the FIX
 * SettlType values of the same names). REGULAR is the rule's own cycle; every other type is defined
 * per rule, as data in the pack, with the rule text it comes from.
 */
export const SETTLEMENT_TYPES = ['REGULAR', 'CASH', 'NEXT_DAY', 'SELLERS_OPTION', 'WHEN_ISSUED'] as const;
export type SettlementType = (typeof SETTLEMENT_TYPES)[number];
export type NonRegularType = Exclude<SettlementType, 'REGULAR'>;

/**
 * What a non-regular type means for one rule, as compiled into the ruleset document. Every field is
 * present (null when it does not apply) so the canonical form has one shape:
 * - CASH, NEXT_DAY: `days` business days after the trade date on the rule's settlement calendar.
 * - SELLERS_OPTION: the request's `option_days` business days, at least `minDays`, and settling no later
 *   than `maxCalendarDays` calendar days after the trade date.
 * - WHEN_ISSUED: the request's announced `settlement_date`, a settlement business day on or after the
 *   trade date and, when `maxCalendarDays` is set, at most that many calendar days after it.
 */
export interface SettlementTypeTerms {
  readonly type: NonRegularType;
  readonly days: number | null;
  readonly minDays: number | null;
  readonly maxCalendarDays: number | null;
  readonly source: string;
}

/** What a request may add to (trade date, asset class, market). Empty strings and undefined mean "not given". */
export interface DecideTerms {
  readonly settlementType?: string | undefined;
  readonly optionDays?: number | null | undefined;
  readonly settlementDate?: string | undefined;
  readonly segment?: string | undefined;
}

/** The request's settlement type: REGULAR when absent or empty; INVALID_ARGUMENT naming the value otherwise. */
export function parseSettlementType(text: string | undefined, field = 'settlement_type'): SettlementType {
  switch (text) {
    case undefined:
    case '':
    case 'REGULAR':
      return 'REGULAR';
    // The constants, not the caller's string: later comparisons with the pack's types are then identity checks.
    case 'CASH':
      return 'CASH';
    case 'NEXT_DAY':
      return 'NEXT_DAY';
    case 'SELLERS_OPTION':
      return 'SELLERS_OPTION';
    case 'WHEN_ISSUED':
      return 'WHEN_ISSUED';
  }
  const shown = text.length > 40 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
  throw new DecisionError('INVALID_ARGUMENT', `${field} ${JSON.stringify(shown)} is not one of ${SETTLEMENT_TYPES.join(', ')}`, {
    field,
    value: shown,
  });
}
