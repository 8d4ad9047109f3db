import { formatDay } from './date.js';
import { parseTradeDate, type Decision, type Ruleset } from './ruleset.js';
import type { DecideTerms } from './settlement-type.js';

export interface RuleCandidate {
  readonly ruleId: string;
  readonly from: string;
  readonly to: string;
  readonly cycleDays: number;
  readonly matched: boolean;
  readonly why: string;
}

export interface DayStep {
  readonly date: string;
  /** true when the day counts as one of the cycle's settlement business days. */
  readonly counted: boolean;
  /** 1-based count of settlement business days so far, when counted. */
  readonly count: number;
  /** The holiday's name, or "weekend", when skipped. */
  readonly skippedBecause: string | null;
}

export interface Explanation {
  readonly decision: Decision;
  readonly candidates: readonly RuleCandidate[];
  readonly tradingDay: { readonly calendarId: string; readonly open: boolean; readonly reason: string | null } | null;
  readonly steps: readonly DayStep[];
}

/** The decision plus why: which rule matched and why the others did not, and every day walked. */
export function explain(
  ruleset: Ruleset,
  tradeDate: string,
  assetClass: string,
  market: string,
  allowNonTradingDay = false,
  terms?: DecideTerms,
): Explanation {
  const decision = ruleset.decide(tradeDate, assetClass, market, allowNonTradingDay, terms);
  const tradeDay = parseTradeDate(tradeDate);
  const candidates = ruleset.rulesFor(assetClass, market).map((r) => {
    const matched = r.id === decision.rule.id;
    const why = matched
      ? `trade_date ${tradeDate} is within ${r.fromText}..${r.toText}${r.segment === null ? '' : ` for segment ${r.segment}`}`
      : r.segment !== null && r.segment !== (terms?.segment ?? '')
        ? `it is for segment ${r.segment}, not the request's`
        : decision.rule.segment !== null && r.segment === null && tradeDay >= r.from && tradeDay <= r.to
          ? `the segment rule ${decision.rule.id} takes precedence over the market default`
          : tradeDay < r.from
            ? `trade_date ${tradeDate} is before its start ${r.fromText}`
            : `trade_date ${tradeDate} is after its end ${r.toText}`;
    return { ruleId: r.id, from: r.fromText, to: r.toText, cycleDays: r.cycleDays, matched, why };
  });
  const trading = decision.rule.tradingCalendar;
  const tradingDay =
    trading === null
      ? null
      : (() => {
          const reason = trading.nonBusinessReason(tradeDay);
          return { calendarId: trading.id, open: reason === null, reason: reason?.name ?? null };
        })();
  const cal = decision.rule.settlementCalendar;
  const settlementDay = parseTradeDate(decision.settlementDate, 'settlement_date');
  const steps: DayStep[] = [];
  let count = 0;
  // T+0 walks from the trade date itself; T+n walks the days strictly after it.
  const first = decision.businessDays === 0 ? tradeDay : tradeDay + 1;
  for (let day = first; day <= settlementDay; day++) {
    const reason = cal.nonBusinessReason(day);
    if (reason === null) count++;
    steps.push({
      date: formatDay(day),
      counted: reason === null,
      count: reason === null ? count : 0,
      skippedBecause: reason?.name ?? null,
    });
  }
  return { decision, candidates, tradingDay, steps };
}

/** A person-readable rendering of an explanation, one fact per line. */
export function formatExplanation(e: Explanation): string {
  const d = e.decision;
  const lines = [
    `trade ${d.tradeDate} ${d.rule.assetClass} on ${d.rule.market} settles ${d.settlementDate}`,
    `rule ${d.rule.id} "${d.rule.name}": T+${d.rule.cycleDays} on calendar ${d.rule.settlementCalendar.id}${d.rule.segment === null ? '' : ` (segment ${d.rule.segment})`}`,
    `ruleset version ${d.rulesetVersion} sha256 ${d.rulesetHash}`,
    `source: ${d.rule.source}`,
    'rules for this market and asset class:',
    ...e.candidates.map((c) => `  ${c.matched ? '*' : ' '} ${c.ruleId} T+${c.cycleDays} ${c.from}..${c.to}: ${c.why}`),
  ];
  if (d.typeTerms !== null) {
    lines.splice(
      2,
      0,
      `settlement type ${d.settlementType}: ${d.businessDays} settlement business days after the trade date`,
      `settlement type source: ${d.typeTerms.source}`,
    );
  }
  if (e.tradingDay) {
    lines.push(
      e.tradingDay.open
        ? `trade date is a trading day on ${e.tradingDay.calendarId}`
        : `trade date is NOT a trading day on ${e.tradingDay.calendarId} (${e.tradingDay.reason ?? 'closed'}), allowed by request`,
    );
  }
  lines.push('days walked on the settlement calendar:');
  for (const s of e.steps) {
    lines.push(s.counted ? `  ${s.date} business day ${s.count}` : `  ${s.date} skipped: ${s.skippedBecause ?? ''}`);
  }
  return lines.join('\n');
}
