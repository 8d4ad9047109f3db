import type { Calendar } from './calendar.js';
import { DecisionError } from './decision-error.js';
import { INVALID_DAY, parseDay, type DayNumber } from './date.js';
import type { RuleDocument } from './ruleset-document.js';
import { parseSettlementType, type DecideTerms, type NonRegularType, type SettlementTypeTerms } from './settlement-type.js';

/** The rule as far as a typed settlement needs it. */
export interface TypedRuleView {
  readonly id: string;
  readonly settlementCalendar: Calendar;
  readonly settlementTypes: readonly SettlementTypeTerms[];
}

const MAX_OPTION_DAYS = 1000;

/** Caller text as it appears in an error: at most 64 characters. */
const cut = (text: string): string => text.slice(0, 64);

function invalid(field: string, value: string, message: string): DecisionError {
  return new DecisionError('INVALID_ARGUMENT', message, { field, value });
}

/**
 * What a CASH, NEXT_DAY, SELLERS_OPTION or WHEN_ISSUED trade means under `rule`: the terms the pack gives
 * that type. Throws INVALID_ARGUMENT naming settlement_type when the rule does not define it. typedDay
 * then throws INVALID_ARGUMENT naming the field and the value when a field is missing, given where it
 * does not apply, or out of bounds.
 */
export function typedTerms(rule: TypedRuleView, type: NonRegularType): SettlementTypeTerms {
  const types = rule.settlementTypes;
  for (let i = 0; i < types.length; i++) if ((types[i] as SettlementTypeTerms).type === type) return types[i] as SettlementTypeTerms;
  {
    const defined = rule.settlementTypes.map((t) => t.type);
    throw invalid(
      'settlement_type',
      type,
      `settlement_type ${type} is not defined by rule ${rule.id} (it defines ${defined.length === 0 ? 'only REGULAR' : ['REGULAR', ...defined].join(', ')})`,
    );
  }
}

/**
 * The settlement day under `terms` (from typedTerms). Returns the day only, so that the hot path builds
 * one result object; the business days are `terms.days`, the request's option_days, or counted for
 * WHEN_ISSUED (see typedBusinessDays).
 */
export function typedDay(rule: TypedRuleView, terms: SettlementTypeTerms, tradeDay: DayNumber, request: DecideTerms): DayNumber {
  const type = terms.type;
  const optionDays = request.optionDays;
  const announced = request.settlementDate ?? '';
  if (type !== 'SELLERS_OPTION' && optionDays !== undefined && optionDays !== null) {
    throw invalid(
      'option_days',
      String(optionDays),
      `option_days ${optionDays} applies only to settlement_type SELLERS_OPTION, not ${type}`,
    );
  }
  if (type !== 'WHEN_ISSUED' && announced !== '') {
    throw invalid('settlement_date', announced.slice(0, 64), `settlement_date applies only to settlement_type WHEN_ISSUED, not ${type}`);
  }
  const cal = rule.settlementCalendar;
  if (type === 'CASH' || type === 'NEXT_DAY') return cal.addBusinessDays(tradeDay, terms.days ?? 0);
  if (type === 'SELLERS_OPTION') {
    if (optionDays === undefined || optionDays === null) {
      throw invalid('option_days', '', 'option_days is required with settlement_type SELLERS_OPTION');
    }
    const min = terms.minDays ?? 0;
    if (!Number.isInteger(optionDays) || optionDays < min || optionDays > MAX_OPTION_DAYS) {
      throw invalid(
        'option_days',
        String(optionDays),
        `option_days ${optionDays} is outside the seller's option bounds of rule ${rule.id}: at least ${min} business days${terms.maxCalendarDays === null ? '' : ` and at most ${terms.maxCalendarDays} calendar days after the trade date`}`,
      );
    }
    const day = cal.addBusinessDays(tradeDay, optionDays);
    if (terms.maxCalendarDays !== null && day - tradeDay > terms.maxCalendarDays)
      throw tooLate(rule, terms, tradeDay, day, 'option_days', String(optionDays));
    return day;
  }
  if (announced === '')
    throw invalid('settlement_date', '', 'settlement_date (the announced date) is required with settlement_type WHEN_ISSUED');
  const day = parseDay(announced);
  // Cut to 64 characters only on a refusal: the answer path allocates nothing here.
  if (day === INVALID_DAY) {
    throw new DecisionError('INVALID_DATE', `settlement_date ${JSON.stringify(cut(announced))} is not a valid YYYY-MM-DD date`, {
      field: 'settlement_date',
      value: cut(announced),
    });
  }
  if (day < tradeDay) throw invalid('settlement_date', cut(announced), `settlement_date ${cut(announced)} is before the trade date`);
  if (!cal.isBusinessDay(day, 'settlement_date')) {
    const reason = cal.nonBusinessReason(day);
    throw invalid(
      'settlement_date',
      cut(announced),
      `settlement_date ${cut(announced)} is not a settlement day on ${cal.id} (${reason?.name ?? 'closed'})`,
    );
  }
  if (terms.maxCalendarDays !== null && day - tradeDay > terms.maxCalendarDays)
    throw tooLate(rule, terms, tradeDay, day, 'settlement_date', cut(announced));
  return day;
}

/** Settlement business days in (trade, settlement] for a typed answer from typedDay. */
export function typedBusinessDays(
  rule: TypedRuleView,
  terms: SettlementTypeTerms,
  tradeDay: DayNumber,
  day: DayNumber,
  request: DecideTerms,
): number {
  if (terms.type === 'CASH' || terms.type === 'NEXT_DAY') return terms.days ?? 0;
  if (terms.type === 'SELLERS_OPTION') return request.optionDays ?? 0;
  return rule.settlementCalendar.businessDaysBetween(tradeDay, day);
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

/** option_days and settlement_date mean nothing for a REGULAR trade: refused rather than ignored. */
export function refuseTypeFields(terms: DecideTerms): void {
  if (terms.optionDays !== undefined && terms.optionDays !== null) {
    throw new DecisionError(
      'INVALID_ARGUMENT',
      `option_days ${terms.optionDays} applies only to settlement_type SELLERS_OPTION, not REGULAR`,
      {
        field: 'option_days',
        value: String(terms.optionDays),
      },
    );
  }
  if (terms.settlementDate !== undefined && terms.settlementDate !== '') {
    throw new DecisionError('INVALID_ARGUMENT', 'settlement_date applies only to settlement_type WHEN_ISSUED, not REGULAR', {
      field: 'settlement_date',
      value: terms.settlementDate.slice(0, 64),
    });
  }
}

/** A document's settlement-type terms, checked as far as a wrong one could mislead (the pack checks more). */
export function checkedTypes(r: RuleDocument): readonly SettlementTypeTerms[] {
  return (r.settlementTypes ?? []).map((t) => {
    const type = parseSettlementType(t.type, `rule ${r.id} settlement type`);
    if (type === 'REGULAR') throw new DecisionError('INVALID_ARGUMENT', `rule ${r.id} redefines REGULAR as a settlement type`);
    // The same terms with the type as the constant parseSettlementType returns for a request (see typedTerms).
    return { ...t, type };
  });
}
