import type { Explanation } from '@tplus/core';
import { formatExplanation } from '@tplus/core';
import type { Decision, Rule } from '@tplus/core';
import type { ExplainSettlementDateResponse, RuleInfoMessage, SettlementDecisionMessage } from './wire-types.js';

export function decisionMessage(d: Decision): SettlementDecisionMessage {
  const rule = d.rule;
  return {
    settlementDate: d.settlementDate,
    ruleId: rule.id,
    ruleName: rule.name,
    cycleDays: rule.cycleDays,
    calendarId: rule.settlementCalendar.id,
    rulesetVersion: d.rulesetVersion,
    rulesetHash: d.rulesetHash,
    settlementType: d.settlementType,
    segment: rule.segment ?? '',
    businessDays: d.businessDays,
    settlementTypeSource: d.typeTerms?.source ?? '',
  };
}

export function explainMessage(e: Explanation): ExplainSettlementDateResponse {
  return {
    decision: decisionMessage(e.decision),
    candidates: e.candidates.map((c) => ({
      ruleId: c.ruleId,
      effectiveFrom: c.from,
      effectiveTo: c.to,
      cycleDays: c.cycleDays,
      matched: c.matched,
      why: c.why,
    })),
    tradingDay: e.tradingDay && { calendarId: e.tradingDay.calendarId, open: e.tradingDay.open, reason: e.tradingDay.reason ?? '' },
    steps: e.steps.map((s) => ({ date: s.date, counted: s.counted, count: s.count, skippedBecause: s.skippedBecause ?? '' })),
    text: formatExplanation(e),
    ruleSource: e.decision.rule.source,
    noRule: null,
  };
}

export function ruleInfoMessage(r: Rule): RuleInfoMessage {
  return {
    ruleId: r.id,
    name: r.name,
    assetClass: r.assetClass,
    market: r.market,
    effectiveFrom: r.fromText,
    effectiveTo: r.toText,
    cycleDays: r.cycleDays,
    settlementCalendarId: r.settlementCalendar.id,
    tradingCalendarId: r.tradingCalendar?.id ?? '',
    source: r.source,
    segment: r.segment ?? '',
    settlementTypes: r.settlementTypes.map((t) => t.type),
  };
}
