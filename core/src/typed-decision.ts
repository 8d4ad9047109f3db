import type { DayNumber } from './date.js';
import type { Decision, Rule } from './ruleset.js';
import type { RulesetIdentity } from './ruleset-document.js';
import { parseSettlementType, type DecideTerms, type NonRegularType, type SettlementTypeTerms } from './settlement-type.js';
import {
  notDefined,
  refuseOptionDays,
  refuseSettlementDate,
  refuseTypeFields,
  sellersOptionDay,
  whenIssuedDay,
} from './typed-settlement.js';

function answer(
  identity: RulesetIdentity,
  rule: Rule,
  tradeDate: string,
  settlementDate: string,
  type: NonRegularType,
  businessDays: number,
  typeTerms: SettlementTypeTerms,
): Decision {
  return {
    tradeDate,
    settlementDate,
    rule,
    rulesetVersion: identity.version,
    rulesetHash: identity.hash,
    settlementType: type,
    businessDays,
    typeTerms,
  };
}

/** CASH and NEXT_DAY: the terms' fixed number of settlement business days after the trade date. */
function fixedDays(
  identity: RulesetIdentity,
  rule: Rule,
  tradeDay: DayNumber,
  tradeDate: string,
  request: DecideTerms,
  type: 'CASH' | 'NEXT_DAY',
  terms: SettlementTypeTerms | null,
): Decision {
  if (terms === null) throw notDefined(rule, type);
  refuseOptionDays(request, type);
  refuseSettlementDate(request, type);
  const days = terms.days ?? 0;
  const cal = rule.settlementCalendar;
  return answer(identity, rule, tradeDate, cal.text(cal.addBusinessDays(tradeDay, days)), type, days, terms);
}

/**
 * The decision for a request that names a settlement type other than REGULAR (or gives a type's field),
 * under `rule`, found and its trade date checked by Ruleset.decide. One dispatch on the type, then
 * straight-line code for it, kept out of decide() so the plain answer stays small. Throws
 * INVALID_ARGUMENT naming the field for a type the rule does not define or a field out of its bounds,
 * in this order: the type, a field that does not apply, a field missing, a value out of bounds.
 */
export function typedDecision(
  identity: RulesetIdentity,
  rule: Rule,
  tradeDay: DayNumber,
  tradeDate: string,
  request: DecideTerms,
): Decision {
  switch (request.settlementType) {
    // Each type reads its own terms field (no lookup by the caller's string) and compares the type once.
    case 'CASH':
      return fixedDays(identity, rule, tradeDay, tradeDate, request, 'CASH', rule.termsByType.CASH);
    case 'NEXT_DAY':
      return fixedDays(identity, rule, tradeDay, tradeDate, request, 'NEXT_DAY', rule.termsByType.NEXT_DAY);
    case 'SELLERS_OPTION': {
      const terms = rule.termsByType.SELLERS_OPTION;
      if (terms === null) throw notDefined(rule, 'SELLERS_OPTION');
      refuseSettlementDate(request, 'SELLERS_OPTION');
      const day = sellersOptionDay(rule, terms, tradeDay, request.optionDays);
      return answer(identity, rule, tradeDate, rule.settlementCalendar.text(day), 'SELLERS_OPTION', request.optionDays ?? 0, terms);
    }
    case 'WHEN_ISSUED': {
      const terms = rule.termsByType.WHEN_ISSUED;
      if (terms === null) throw notDefined(rule, 'WHEN_ISSUED');
      refuseOptionDays(request, 'WHEN_ISSUED');
      const announced = request.settlementDate ?? '';
      const day = whenIssuedDay(rule, terms, tradeDay, announced);
      // The announced text is the date's own YYYY-MM-DD (parsed strictly), so it is the answer as given.
      return answer(identity, rule, tradeDate, announced, 'WHEN_ISSUED', rule.settlementCalendar.businessDaysBetween(tradeDay, day), terms);
    }
  }
  // Not a type's name: INVALID_ARGUMENT naming settlement_type. REGULAR comes here only with a type's field.
  if (parseSettlementType(request.settlementType) === 'REGULAR') refuseTypeFields(request);
  throw new Error(`typedDecision: no typed decision for ${JSON.stringify(request)}`);
}
