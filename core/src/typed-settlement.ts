import type { Calendar } from './calendar.js';
import { DecisionError } from './decision-error.js';
import { INVALID_DAY, parseDay, type DayNumber } from './date.js';
import type { RuleDocument } from './ruleset-document.js';
import { parseSettlementType, type DecideTerms, type NonRegularType, type SettlementTypeTerms } from './settlement-type.js';

/** A rule's terms for each non-regular type, null where the rule does not define it: one field read per request. */
export interface TermsByType {
  readonly CASH: SettlementTypeTerms | null;
  readonly NEXT_DAY: SettlementTypeTerms | null;
  readonly SELLERS_OPTION: SettlementTypeTerms | null;
  readonly WHEN_ISSUED: SettlementTypeTerms | null;
}

/** The rule as far as a typed settlement needs it. */
export interface TypedRuleView {
  readonly id: string;
  readonly settlementCalendar: Calendar;
  readonly settlementTypes: readonly SettlementTypeTerms[];
}

export const MAX_OPTION_DAYS = 1000;

/** Caller text as it appears in an error: at most 64 characters. */
const cut = (text: string): string => text.slice(0, 64);

function invalid(field: string, value: string, message: string): DecisionError {
  return new DecisionError('INVALID_ARGUMENT', message, { field, value });
}

/** INVALID_ARGUMENT naming settlement_type: `rule` does not define `type`. */
export function notDefined(rule: TypedRuleView, type: NonRegularType): DecisionError {
  const defined = rule.settlementTypes.map((t) => t.type);
  return invalid(
    'settlement_type',
    type,
    `settlement_type ${type} is not defined by rule ${rule.id} (it defines ${defined.length === 0 ? 'only REGULAR' : ['REGULAR', ...defined].join(', ')})`,
  );
}

/** option_days given with a type other than SELLERS_OPTION: refused rather than ignored. */
export function refuseOptionDays(request: DecideTerms, type: string): void {
  const optionDays = request.optionDays;
  if (optionDays !== undefined && optionDays !== null)
    throw invalid(
      'option_days',
      String(optionDays),
      `option_days ${optionDays} applies only to settlement_type SELLERS_OPTION, not ${type}`,
    );
}

/** settlement_date given with a type other than WHEN_ISSUED: refused rather than ignored. */
export function refuseSettlementDate(request: DecideTerms, type: string): void {
  const announced = request.settlementDate;
  if (announced !== undefined && announced !== '')
    throw invalid('settlement_date', cut(announced), `settlement_date applies only to settlement_type WHEN_ISSUED, not ${type}`);
}

/** option_days and settlement_date mean nothing for a REGULAR trade: refused rather than ignored. */
export function refuseTypeFields(terms: DecideTerms): void {
  refuseOptionDays(terms, 'REGULAR');
  refuseSettlementDate(terms, 'REGULAR');
}

function tooLate(
  rule: TypedRuleView,
  terms: SettlementTypeTerms,
  tradeDay: DayNumber,
  day: DayNumber,
  field: string,
  value: string,
): DecisionError {
  return invalid(
    field,
    value,
    `${field} ${value} settles ${rule.settlementCalendar.text(day)}, ${day - tradeDay} calendar days after the trade date; ${terms.type} under rule ${rule.id} allows at most ${terms.maxCalendarDays ?? 0}`,
  );
}

/** SELLERS_OPTION: `option_days` business days, within the terms' bounds; throws INVALID_ARGUMENT naming option_days. */
export function sellersOptionDay(
  rule: TypedRuleView,
  terms: SettlementTypeTerms,
  tradeDay: DayNumber,
  optionDays: number | null | undefined,
): DayNumber {
  // One test for every refusal before the date is computed, one after; refuseOptionDaysValue says which.
  if (typeof optionDays !== 'number' || !Number.isInteger(optionDays) || optionDays < (terms.minDays ?? 0) || optionDays > MAX_OPTION_DAYS)
    throw refuseOptionDaysValue(rule, terms, optionDays);
  const day = rule.settlementCalendar.addBusinessDays(tradeDay, optionDays);
  const max = terms.maxCalendarDays;
  if (max !== null && day - tradeDay > max) throw tooLate(rule, terms, tradeDay, day, 'option_days', String(optionDays));
  return day;
}

function refuseOptionDaysValue(rule: TypedRuleView, terms: SettlementTypeTerms, optionDays: number | null | undefined): DecisionError {
  if (optionDays === undefined || optionDays === null)
    return invalid('option_days', '', 'option_days is required with settlement_type SELLERS_OPTION');
  const min = terms.minDays ?? 0;
  return invalid(
    'option_days',
    String(optionDays),
    `option_days ${optionDays} is outside the seller's option bounds of rule ${rule.id}: at least ${min} business days${terms.maxCalendarDays === null ? '' : ` and at most ${terms.maxCalendarDays} calendar days after the trade date`}`,
  );
}

/**
 * WHEN_ISSUED: the announced `settlement_date`, a settlement day on or after the trade date within the
 * terms' bound. One test for every refusal on the answer path; `refuseAnnounced` then says which.
 */
export function whenIssuedDay(rule: TypedRuleView, terms: SettlementTypeTerms, tradeDay: DayNumber, announced: string): DayNumber {
  const day = parseDay(announced);
  const cal = rule.settlementCalendar;
  const max = terms.maxCalendarDays;
  // INVALID_DAY is below every trade day, so an unparsable date fails the first test.
  if (day < tradeDay || !cal.covers(day) || !cal.isBusinessDay(day) || (max !== null && day - tradeDay > max))
    throw refuseAnnounced(rule, terms, tradeDay, announced, day);
  return day;
}

/** Why whenIssuedDay refused `announced`, in this order: missing, not a date, before the trade date, outside the calendar, not a settlement day, too late. */
function refuseAnnounced(
  rule: TypedRuleView,
  terms: SettlementTypeTerms,
  tradeDay: DayNumber,
  announced: string,
  day: DayNumber,
): DecisionError {
  if (announced === '')
    return invalid('settlement_date', '', 'settlement_date (the announced date) is required with settlement_type WHEN_ISSUED');
  // Cut to 64 characters only on a refusal: the answer path allocates nothing here.
  const shown = cut(announced);
  if (day === INVALID_DAY) {
    return new DecisionError('INVALID_DATE', `settlement_date ${JSON.stringify(shown)} is not a valid YYYY-MM-DD date`, {
      field: 'settlement_date',
      value: shown,
    });
  }
  if (day < tradeDay) return invalid('settlement_date', shown, `settlement_date ${shown} is before the trade date`);
  const cal = rule.settlementCalendar;
  try {
    if (!cal.isBusinessDay(day, 'settlement_date')) {
      const reason = cal.nonBusinessReason(day);
      return invalid(
        'settlement_date',
        shown,
        `settlement_date ${shown} is not a settlement day on ${cal.id} (${reason?.name ?? 'closed'})`,
      );
    }
  } catch (outOfRange) {
    if (outOfRange instanceof DecisionError) return outOfRange;
    throw outOfRange;
  }
  return tooLate(rule, terms, tradeDay, day, 'settlement_date', shown);
}

/** A document's settlement-type terms, checked as far as a wrong one could mislead (the pack checks more). */
export function checkedTypes(r: RuleDocument): readonly SettlementTypeTerms[] {
  return (r.settlementTypes ?? []).map((t) => {
    const type = parseSettlementType(t.type, `rule ${r.id} settlement type`);
    if (type === 'REGULAR') throw new DecisionError('INVALID_ARGUMENT', `rule ${r.id} redefines REGULAR as a settlement type`);
    return { ...t, type };
  });
}

/** The per-type table of checkedTypes' list (every field present, so every rule's table has one shape). */
export function termsByType(list: readonly SettlementTypeTerms[]): TermsByType {
  const of = (type: NonRegularType): SettlementTypeTerms | null => list.find((t) => t.type === type) ?? null;
  return { CASH: of('CASH'), NEXT_DAY: of('NEXT_DAY'), SELLERS_OPTION: of('SELLERS_OPTION'), WHEN_ISSUED: of('WHEN_ISSUED') };
}
