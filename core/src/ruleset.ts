import { Calendar } from './calendar.js';
import { DecisionError } from './decision-error.js';
import { INVALID_DAY, parseDay, type DayNumber } from './date.js';
import { NoRuleError } from './explain-miss.js';
import { checkIdentifier } from './identifier-shapes.js';
import type { RuleDocument, RulesetDocument, RulesetIdentity } from './ruleset-document.js';

export interface Rule {
  readonly id: string;
  readonly name: string;
  readonly assetClass: string;
  readonly market: string;
  readonly from: DayNumber;
  readonly to: DayNumber;
  readonly fromText: string;
  readonly toText: string;
  readonly cycleDays: number;
  readonly settlementCalendar: Calendar;
  readonly tradingCalendar: Calendar | null;
  readonly source: string;
}

export interface Decision {
  readonly tradeDate: string;
  readonly settlementDate: string;
  readonly rule: Rule;
  readonly rulesetVersion: number;
  readonly rulesetHash: string;
}

/** Shortens caller-supplied text for error messages (fuzzers send megabytes). */
export function quoteValue(value: string): string {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…(${value.length} chars)` : value;
  return JSON.stringify(shown);
}

export function parseTradeDate(text: string, field = 'trade_date'): DayNumber {
  const day = parseDay(text);
  if (day === INVALID_DAY) {
    throw new DecisionError('INVALID_DATE', `${field} ${quoteValue(text)} is not a valid YYYY-MM-DD date`, {
      field,
      value: text.slice(0, 64),
    });
  }
  return day;
}

/**
 * An immutable, fully indexed ruleset. Built once per version; every decision is a pure function of
 * (trade date, asset class, market, this ruleset). No I/O, no clock.
 */
export class Ruleset {
  readonly version: number;
  readonly hash: string;
  readonly document: RulesetDocument;
  readonly calendars: ReadonlyMap<string, Calendar>;
  readonly rules: readonly Rule[];
  /** market → asset class → rules sorted by start; nested maps avoid building a key per lookup. */
  private readonly index: ReadonlyMap<string, ReadonlyMap<string, readonly Rule[]>>;

  constructor(document: RulesetDocument, identity: RulesetIdentity) {
    this.version = identity.version;
    this.hash = identity.hash;
    this.document = document;
    const calendars = new Map<string, Calendar>();
    for (const doc of document.calendars) calendars.set(doc.id, new Calendar(doc));
    this.calendars = calendars;
    const lookup = (id: string, rule: RuleDocument): Calendar => {
      const cal = calendars.get(id);
      if (!cal) {
        throw new DecisionError('CALENDAR_NOT_FOUND', `rule ${rule.id} names calendar ${id}, which does not exist`, {
          rule_id: rule.id,
          calendar_id: id,
        });
      }
      return cal;
    };
    this.rules = document.rules.map((r) => ({
      id: r.id,
      name: r.name,
      assetClass: r.assetClass,
      market: r.market,
      from: parseDay(r.from),
      to: parseDay(r.to),
      fromText: r.from,
      toText: r.to,
      cycleDays: r.cycleDays,
      settlementCalendar: lookup(r.settlementCalendar, r),
      tradingCalendar: r.tradingCalendar === null ? null : lookup(r.tradingCalendar, r),
      source: r.source,
    }));
    const index = new Map<string, Map<string, Rule[]>>();
    for (const rule of this.rules) {
      let byAsset = index.get(rule.market);
      if (!byAsset) index.set(rule.market, (byAsset = new Map<string, Rule[]>()));
      const list = byAsset.get(rule.assetClass) ?? [];
      list.push(rule);
      byAsset.set(rule.assetClass, list);
    }
    for (const byAsset of index.values()) for (const list of byAsset.values()) list.sort((a, b) => a.from - b.from);
    this.index = index;
  }

  /** Every rule held for (asset class, market), oldest first; empty when none. */
  rulesFor(assetClass: string, market: string): readonly Rule[] {
    return this.index.get(market)?.get(assetClass) ?? [];
  }

  /** The rule in force on `tradeDay` for the key; throws NO_RULE (a NoRuleError saying why) when there is none. */
  findRule(tradeDay: DayNumber, tradeDate: string, assetClass: string, market: string): Rule {
    const list = this.index.get(market)?.get(assetClass);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const rule = list[i] as Rule;
        if (tradeDay >= rule.from && tradeDay <= rule.to) return rule;
      }
    }
    // Why none matched (the key's rules, or the closest known codes) is worked out only when read.
    throw new NoRuleError(
      { ruleset: this, tradeDay, assetClass, market },
      `no rule for asset_class ${quoteValue(assetClass)} on market ${quoteValue(market)} on trade_date ${tradeDate}`,
      { asset_class: assetClass.slice(0, 64), market: market.slice(0, 64), trade_date: tradeDate },
    );
  }

  decide(tradeDate: string, assetClass: string, market: string, allowNonTradingDay = false): Decision {
    const tradeDay = parseTradeDate(tradeDate);
    checkIdentifier(assetClass, 'asset_class');
    checkIdentifier(market, 'market');
    const rule = this.findRule(tradeDay, tradeDate, assetClass, market);
    const trading = rule.tradingCalendar;
    if (trading !== null && !allowNonTradingDay && !trading.isBusinessDay(tradeDay, 'trade_date')) {
      const reason = trading.nonBusinessReason(tradeDay);
      throw new DecisionError(
        'NOT_A_TRADING_DAY',
        `trade_date ${tradeDate} is not a trading day on ${trading.id} (${reason?.name ?? 'closed'}); pass allow_non_trading_day to decide anyway`,
        { field: 'trade_date', value: tradeDate, calendar_id: trading.id },
      );
    }
    const cal = rule.settlementCalendar;
    const settlementDay = cal.addBusinessDays(tradeDay, rule.cycleDays);
    return {
      tradeDate,
      settlementDate: cal.text(settlementDay),
      rule,
      rulesetVersion: this.version,
      rulesetHash: this.hash,
    };
  }
}
