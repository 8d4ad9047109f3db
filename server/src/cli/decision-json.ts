import type { Decision } from '@tplus/core';

/** The JSON shape of a decision on the command line: proto field names (snake_case). */
export interface DecisionJson {
  readonly trade_date: string;
  readonly asset_class: string;
  readonly market: string;
  readonly settlement_date: string;
  readonly rule_id: string;
  readonly rule_name: string;
  readonly cycle_days: number;
  readonly calendar_id: string;
  readonly ruleset_version: number;
  readonly ruleset_hash: string;
  /** Present only for a non-regular type, so REGULAR answers keep their shape. */
  readonly settlement_type?: string;
  readonly business_days?: number;
  readonly settlement_type_source?: string;
  /** Present only when a segment rule applied. */
  readonly segment?: string;
  /** Where the ruleset came from, as the sidecar names it (`bundled`: compiled from a local rule pack). */
  readonly ruleset_source?: string;
}

export function decisionJson(d: Decision, source?: string): DecisionJson {
  return {
    trade_date: d.tradeDate,
    asset_class: d.rule.assetClass,
    market: d.rule.market,
    settlement_date: d.settlementDate,
    rule_id: d.rule.id,
    rule_name: d.rule.name,
    cycle_days: d.rule.cycleDays,
    calendar_id: d.rule.settlementCalendar.id,
    ruleset_version: d.rulesetVersion,
    ruleset_hash: d.rulesetHash,
    ...(d.typeTerms === null
      ? {}
      : { settlement_type: d.settlementType, business_days: d.businessDays, settlement_type_source: d.typeTerms.source }),
    ...(d.rule.segment === null ? {} : { segment: d.rule.segment }),
    ...(source === undefined ? {} : { ruleset_source: source }),
  };
}
