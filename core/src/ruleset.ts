import { Calendar } from './calendar.js';
import { DecisionError } from './decision-error.js';
import { INVALID_DAY, parseDay, type DayNumber } from './date.js';
import { NoRuleError } from './explain-miss.js';
import { checkIdentifier, isSegment } from './identifier-shapes.js';
import type { RuleDocument, RulesetDocument, RulesetIdentity } from './ruleset-document.js';
import type { DecideTerms, SettlementType, SettlementTypeTerms } from './settlement-type.js';
import { typedDecision } from './typed-decision.js';
import { checkedTypes, termsByType, type TermsByType } from './typed-settlement.js';

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
  /** The instrument segment this rule is limited to; null for the market default. */
  readonly segment: string | null;
  /** The non-regular settlement types this rule defines (empty: REGULAR only). */
  readonly settlementTypes: readonly SettlementTypeTerms[];
  /** The same terms by type, for the request path. */
  readonly termsByType: TermsByType;
}

export interface Decision {
  readonly tradeDate: string;
  readonly settlementDate: string;
  readonly rule: Rule;
  readonly rulesetVersion: number;
  readonly rulesetHash: string;
  /** The type the date was computed for; REGULAR when the request named none. */
  readonly settlementType: SettlementType;
  /** Settlement business days after the trade date (the rule's cycle for REGULAR). */
  readonly businessDays: number;
  /** The pack's terms for a non-regular type (with their source); null for REGULAR. */
  readonly typeTerms: SettlementTypeTerms | null;
}

/** The rules of one (market, asset class): the market default's, and each segment's, oldest first. */
interface KeyRules {
  readonly defaults: Rule[];
  readonly bySegment: Map<string, Rule[]>;
  readonly all: Rule[];
  /** Whether any rule of this key names a segment: when none does, a request's segment is not looked up. */
  segmented: boolean;
  /** The one segment this key's rules name, if exactly one: compared instead of hashed into bySegment. */
  soleSegment: string | null;
  soleRules: Rule[];
}

function inPeriod(list: readonly Rule[], tradeDay: DayNumber): Rule | null {
  for (let i = 0; i < list.length; i++) {
    const rule = list[i] as Rule;
    if (tradeDay >= rule.from && tradeDay <= rule.to) return rule;
  }
  return null;
}

/** The rule in force on `tradeDay` for the key: the segment's, else the market default's. */
function keyRule(key: KeyRules, segment: string, tradeDay: DayNumber): Rule | null {
  return (segment.length !== 0 && key.segmented ? segmentRule(key, segment, tradeDay) : null) ?? inPeriod(key.defaults, tradeDay);
}

/** The rule of `segment` in force on `tradeDay` for the key, if any (the key names at least one segment). */
function segmentRule(key: KeyRules, segment: string, tradeDay: DayNumber): Rule | null {
  const sole = key.soleSegment;
  const list = sole === null ? key.bySegment.get(segment) : segment === sole ? key.soleRules : undefined;
  return list === undefined ? null : inPeriod(list, tradeDay);
}

/** NOT_A_TRADING_DAY for `tradeDay` on `trading`, with the closure's name (kept out of decide(): only a refusal builds it). */
function notATradingDay(trading: Calendar, tradeDay: DayNumber, tradeDate: string): DecisionError {
  const reason = trading.nonBusinessReason(tradeDay);
  return new DecisionError(
    'NOT_A_TRADING_DAY',
    `trade_date ${tradeDate} is not a trading day on ${trading.id} (${reason?.name ?? 'closed'}); pass allow_non_trading_day to decide anyway`,
    { field: 'trade_date', value: tradeDate, calendar_id: trading.id },
  );
}

/**
 * NO_RULE for the key; a malformed segment is the caller's error instead, whatever the key (said before
 * "no rule"). Why none matched (the key's rules, or the closest known codes) is worked out only when read.
 */
function noRule(ruleset: Ruleset, tradeDay: DayNumber, tradeDate: string, assetClass: string, market: string, segment: string): Error {
  // A request's identifiers are checked here, on a miss only: a key the index holds is the pack's own
  // text, whose shape the pack compiler checked. A value of the wrong shape is INVALID_ARGUMENT, never NO_RULE.
  checkIdentifier(assetClass, 'asset_class');
  checkIdentifier(market, 'market');
  if (segment !== '' && !isSegment(segment)) checkIdentifier(segment, 'segment');
  return new NoRuleError(
    { ruleset, tradeDay, assetClass, market },
    `no rule for asset_class ${quoteValue(assetClass)} on market ${quoteValue(market)}${segment === '' ? '' : ` (segment ${quoteValue(segment)} or the market default)`} on trade_date ${tradeDate}`,
    { asset_class: assetClass.slice(0, 64), market: market.slice(0, 64), trade_date: tradeDate },
  );
}

/** Whether `terms` asks for more than the rule's own cycle: a type other than REGULAR, or a type's field. */
function namesTypeTerms(terms: DecideTerms): boolean {
  const type = terms.settlementType;
  if (type !== undefined && type.length !== 0 && type !== 'REGULAR') return true;
  const optionDays = terms.optionDays;
  const settlementDate = terms.settlementDate;
  return (optionDays !== undefined && optionDays !== null) || (settlementDate !== undefined && settlementDate.length !== 0);
}

/** Shortens caller-supplied text for error messages (fuzzers send megabytes). */
export function quoteValue(value: string): string {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…(${value.length} chars)` : value;
  return JSON.stringify(shown);
}

/** INVALID_DATE naming `field` and the (shortened) text. */
function invalidDate(text: string, field: string): DecisionError {
  return new DecisionError('INVALID_DATE', `${field} ${quoteValue(text)} is not a valid YYYY-MM-DD date`, {
    field,
    value: text.slice(0, 64),
  });
}

// The refusals of the request path are built in functions of their own (invalidDate, notATradingDay,
// noRule): the hot functions stay small enough for V8 to inline them into their callers.
export function parseTradeDate(text: string, field = 'trade_date'): DayNumber {
  const day = parseDay(text);
  if (day === INVALID_DAY) throw invalidDate(text, field);
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
  private readonly index: ReadonlyMap<string, ReadonlyMap<string, KeyRules>>;

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
    this.rules = document.rules.map((r) => {
      const settlementTypes = checkedTypes(r);
      return {
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
        segment: r.segment ?? null,
        settlementTypes,
        termsByType: termsByType(settlementTypes),
      };
    });
    const index = new Map<string, Map<string, KeyRules>>();
    for (const rule of this.rules) {
      let byAsset = index.get(rule.market);
      if (!byAsset) index.set(rule.market, (byAsset = new Map<string, KeyRules>()));
      let key = byAsset.get(rule.assetClass);
      if (!key)
        byAsset.set(
          rule.assetClass,
          (key = { defaults: [], bySegment: new Map<string, Rule[]>(), all: [], segmented: false, soleSegment: null, soleRules: [] }),
        );
      key.all.push(rule);
      if (rule.segment === null) key.defaults.push(rule);
      else {
        checkIdentifier(rule.segment, 'segment', `rule ${rule.id} segment`);
        key.segmented = true;
        const list = key.bySegment.get(rule.segment) ?? [];
        list.push(rule);
        key.bySegment.set(rule.segment, list);
      }
    }
    const byStart = (a: Rule, b: Rule): number => a.from - b.from;
    for (const byAsset of index.values()) {
      for (const key of byAsset.values()) {
        key.all.sort(byStart);
        key.defaults.sort(byStart);
        for (const list of key.bySegment.values()) list.sort(byStart);
        const [sole] = key.bySegment;
        if (key.bySegment.size === 1 && sole !== undefined) [key.soleSegment, key.soleRules] = sole;
      }
    }
    this.index = index;
  }

  /** Every rule held for (asset class, market), segment rules included, oldest first; empty when none. */
  rulesFor(assetClass: string, market: string): readonly Rule[] {
    return this.index.get(market)?.get(assetClass)?.all ?? [];
  }

  /** The market default's rules for (asset class, market), no segment rules, oldest first; undefined when none. */
  defaultRulesFor(assetClass: string, market: string): readonly Rule[] | undefined {
    return this.index.get(market)?.get(assetClass)?.defaults;
  }

  /**
   * The rule in force on `tradeDay` for the key; throws NO_RULE when there is none. Precedence: a rule of
   * the requested `segment` in force that day, else the market default's (a rule with no segment). Two
   * map reads and a scan of one key's few periods, whatever the pack's size; a segment adds nothing on a
   * key without segment rules, a string compare on a key with one segment, a third map read otherwise.
   */
  findRule(tradeDay: DayNumber, tradeDate: string, assetClass: string, market: string, segment = ''): Rule {
    const key = this.index.get(market)?.get(assetClass);
    const rule = key === undefined ? null : keyRule(key, segment, tradeDay);
    if (rule === null) throw noRule(this, tradeDay, tradeDate, assetClass, market, segment);
    return rule;
  }

  /**
   * The settlement date of one trade. With no `terms` (or REGULAR and no segment) this is the rule's
   * own cycle; `terms` may name a settlement type (defined per rule in the pack) and a segment.
   */
  decide(tradeDate: string, assetClass: string, market: string, allowNonTradingDay = false, terms?: DecideTerms): Decision {
    const tradeDay = parseTradeDate(tradeDate);
    // asset_class and market are checked only when the lookup misses (noRule): a hit is the pack's own text.
    const segment = terms === undefined ? '' : (terms.segment ?? '');
    const rule = this.findRule(tradeDay, tradeDate, assetClass, market, segment);
    // A segment that matched a rule has the pack's (checked) shape; any other is checked here, after the lookup.
    if (segment.length !== 0 && rule.segment !== segment && !isSegment(segment)) checkIdentifier(segment, 'segment');
    const trading = rule.tradingCalendar;
    if (trading !== null && !allowNonTradingDay && !trading.isBusinessDay(tradeDay, 'trade_date'))
      throw notATradingDay(trading, tradeDay, tradeDate);
    // A type other than REGULAR, or a type's field with REGULAR (refused there rather than ignored).
    if (terms !== undefined && namesTypeTerms(terms)) return typedDecision(this, rule, tradeDay, tradeDate, terms);
    const cal = rule.settlementCalendar;
    return {
      tradeDate,
      settlementDate: cal.text(cal.addBusinessDays(tradeDay, rule.cycleDays)),
      rule,
      rulesetVersion: this.version,
      rulesetHash: this.hash,
      settlementType: 'REGULAR',
      businessDays: rule.cycleDays,
      typeTerms: null,
    };
  }
}
