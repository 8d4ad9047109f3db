import type { Calendar } from './calendar.js';
import { DecisionError } from './decision-error.js';
import { INVALID_DAY, parseDay, type DayNumber } from './date.js';
import type { DecideTerms, NonRegularType, SettlementTypeTerms } from './settlement-type.js';

/** Where a non-regular settlement lands, and how many settlement business days that is after the trade. */
export interface TypedSettlement {
  readonly day: DayNumber;
  readonly businessDays: number;
  readonly terms: SettlementTypeTerms;
}

/** The rule as far as a typed settlement needs it. */
export interface TypedRuleView {
  readonly id: string;
  readonly settlementCalendar: Calendar;
  readonly settlementTypes: readonly SettlementTypeTerms[];
}

const MAX_OPTION_DAYS = 1000;

function invalid(field: string, value: string, message: string): DecisionError {
  return new DecisionError('INVALID_ARGUMENT', message, { field, value });
}

/**
 * The settlement day of a CASH, NEXT_DAY, SELLERS_OPTION or WHEN_ISSUED trade under `rule`, from the
 * terms the pack gives that type. Throws INVALID_ARGUMENT naming the field and the value when the type
 * is not defined for the rule, a field is missing, given where it does not apply, or out of bounds.
 */
export function settleTyped(rule: TypedRuleView, type: NonRegularType, tradeDay: DayNumber, request: DecideTerms): TypedSettlement {
  const terms = rule.settlementTypes.find((t) => t.type === type);
  if (terms === undefined) {
    const defined = rule.settlementTypes.map((t) => t.type);
    throw invalid(
      'settlement_type',
      type,
      `settlement_type ${type} is not defined by rule ${rule.id} (it defines ${defined.length === 0 ? 'only REGULAR' : ['REGULAR', ...defined].join(', ')})`,
    );
  }
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
  const latest = (day: DayNumber, field: string, value: string): void => {
    if (terms.maxCalendarDays !== null && day - tradeDay > terms.maxCalendarDays) {
      throw invalid(
        field,
        value,
        `${field} ${value} settles ${cal.text(day)}, ${day - tradeDay} calendar days after the trade date; ${type} under rule ${rule.id} allows at most ${terms.maxCalendarDays}`,
      );
    }
  };
  if (type === 'CASH' || type === 'NEXT_DAY') {
    const days = terms.days ?? 0;
    return { day: cal.addBusinessDays(tradeDay, days), businessDays: days, terms };
  }
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
    latest(day, 'option_days', String(optionDays));
    return { day, businessDays: optionDays, terms };
  }
  if (announced === '')
    throw invalid('settlement_date', '', 'settlement_date (the announced date) is required with settlement_type WHEN_ISSUED');
  const shown = announced.slice(0, 64);
  const day = parseDay(announced);
  if (day === INVALID_DAY) {
    throw new DecisionError('INVALID_DATE', `settlement_date ${JSON.stringify(shown)} is not a valid YYYY-MM-DD date`, {
      field: 'settlement_date',
      value: shown,
    });
  }
  if (day < tradeDay) throw invalid('settlement_date', shown, `settlement_date ${shown} is before the trade date`);
  if (!cal.isBusinessDay(day, 'settlement_date')) {
    const reason = cal.nonBusinessReason(day);
    throw invalid('settlement_date', shown, `settlement_date ${shown} is not a settlement day on ${cal.id} (${reason?.name ?? 'closed'})`);
  }
  latest(day, 'settlement_date', shown);
  return { day, businessDays: cal.businessDaysBetween(tradeDay, day), terms };
}
