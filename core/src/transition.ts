import { DecisionError } from './decision-error.js';
import { formatDay, weekdayOf, WEEKDAY_NAMES, type DayNumber } from './date.js';
import type { Ruleset } from './ruleset.js';

export interface TransitionRow {
  readonly tradeDate: string;
  readonly weekday: string;
  /** null when the trade date is not a trading day (then `closedBecause` says why). */
  readonly settlementDate: string | null;
  readonly ruleId: string | null;
  readonly cycleDays: number | null;
  readonly closedBecause: string | null;
  /** Every rule whose trades settle on this row's settlement date, when more than one. */
  readonly doubleSettlementRules: readonly string[];
}

/**
 * Trade date → settlement date around a cutover (of the market default, or of one segment's rules
 * with the default before them), flagging settlement dates that receive trades from two
 * rules (the "double settlement day"). Trade dates outside the window are still counted for the flag.
 */
export function transitionTable(
  ruleset: Ruleset,
  assetClass: string,
  market: string,
  around: DayNumber,
  days: number,
  segment = '',
): TransitionRow[] {
  const terms = segment === '' ? undefined : { segment };
  const pad = days + 40;
  const rows: { day: DayNumber; row: Omit<TransitionRow, 'doubleSettlementRules'> }[] = [];
  const rulesBySettlement = new Map<string, Set<string>>();
  for (let day = around - pad; day <= around + pad; day++) {
    const tradeDate = formatDay(day);
    let row: Omit<TransitionRow, 'doubleSettlementRules'>;
    try {
      const d = ruleset.decide(tradeDate, assetClass, market, false, terms);
      row = {
        tradeDate,
        weekday: WEEKDAY_NAMES[weekdayOf(day)] ?? '',
        settlementDate: d.settlementDate,
        ruleId: d.rule.id,
        cycleDays: d.rule.cycleDays,
        closedBecause: null,
      };
      const set = rulesBySettlement.get(d.settlementDate) ?? new Set<string>();
      set.add(d.rule.id);
      rulesBySettlement.set(d.settlementDate, set);
    } catch (e) {
      if (!(e instanceof DecisionError)) throw e;
      // Only the window's own days may fail; padding days beyond a rule or calendar are skipped.
      if (Math.abs(day - around) > days) continue;
      if (e.code !== 'NOT_A_TRADING_DAY') throw e;
      const reason = ruleset.rulesFor(assetClass, market)[0]?.tradingCalendar?.nonBusinessReason(day);
      row = {
        tradeDate,
        weekday: WEEKDAY_NAMES[weekdayOf(day)] ?? '',
        settlementDate: null,
        ruleId: null,
        cycleDays: null,
        closedBecause: reason?.name ?? 'closed',
      };
    }
    rows.push({ day, row });
  }
  return rows
    .filter(({ day }) => Math.abs(day - around) <= days)
    .map(({ row }) => {
      const set = row.settlementDate === null ? undefined : rulesBySettlement.get(row.settlementDate);
      return { ...row, doubleSettlementRules: set && set.size > 1 ? [...set].sort() : [] };
    });
}
