import { closestCodes } from './closest-codes.js';
import { DecisionError } from './decision-error.js';
import { formatDay, type DayNumber } from './date.js';
import type { Rule, Ruleset } from './ruleset.js';

/** Where a trade date falls among the rules of its (asset class, market), or that the key has none. */
export type MissPosition = 'before_first' | 'between' | 'after_last' | 'no_rules_for_key';

export interface RuleRange {
  readonly ruleId: string;
  /** Effective trade-date range, inclusive (9999-12-31 = open-ended). */
  readonly from: string;
  readonly to: string;
  readonly cycleDays: number;
}

export interface KnownMarket {
  readonly market: string;
  /** The asset classes it has rules for, sorted. */
  readonly assetClasses: readonly string[];
}

export interface KnownAssetClass {
  readonly assetClass: string;
  /** The markets that have rules for it, sorted. */
  readonly markets: readonly string[];
}

/** Why no rule matched, for people (hint) and programs (the rest). */
export interface NoRuleDetail {
  /** Every rule of the key, oldest first; empty when the key has none. */
  readonly rulesOfKey: readonly RuleRange[];
  readonly position: MissPosition;
  /** The rule that ended before the trade date, and the one that starts after it (null at the ends). */
  readonly previousRuleId: string | null;
  readonly nextRuleId: string | null;
  /** When the key has no rules: the closest known markets (when the market has none) ... */
  readonly suggestedMarkets: readonly KnownMarket[];
  /** ... and asset classes (of the market, when it is known; else of every market). */
  readonly suggestedAssetClasses: readonly KnownAssetClass[];
  /** The same facts in one sentence: the tail of the NO_RULE message. */
  readonly hint: string;
}

/** Where a NO_RULE happened: enough to say why, later. */
export interface MissContext {
  readonly ruleset: Ruleset;
  readonly tradeDay: DayNumber;
  readonly assetClass: string;
  readonly market: string;
}

/**
 * NO_RULE with the reason attached: thrown by Ruleset.decide, read by explain (CLI and RPC). The reason
 * is worked out on first use of `miss` or `message`, so callers that only read `code` (rules diff, the
 * registry's Diff over thousands of dates) pay nothing for it.
 */
export class NoRuleError extends DecisionError {
  #context: MissContext;
  #miss: NoRuleDetail | null = null;

  constructor(context: MissContext, message: string, details: Readonly<Record<string, string>>) {
    super('NO_RULE', message, details);
    this.#context = context;
    let full: string | null = null;
    // The message ends with the hint: built when first read (status message, CLI line, batch item).
    Object.defineProperty(this, 'message', {
      get: () => (full ??= `${message}: ${this.miss.hint}`),
      configurable: true,
      enumerable: false,
    });
  }

  get miss(): NoRuleDetail {
    const c = this.#context;
    return (this.#miss ??= describeMiss(c.ruleset, c.tradeDay, c.assetClass, c.market));
  }
}

interface KnownCodes {
  readonly byMarket: ReadonlyMap<string, readonly string[]>;
  readonly byAssetClass: ReadonlyMap<string, readonly string[]>;
}

/** Built on a ruleset's first miss, then reused: a miss never rescans every rule. */
const KNOWN = new WeakMap<Ruleset, KnownCodes>();

function knownCodes(ruleset: Ruleset): KnownCodes {
  const cached = KNOWN.get(ruleset);
  if (cached) return cached;
  const byMarket = new Map<string, Set<string>>();
  const byAssetClass = new Map<string, Set<string>>();
  for (const r of ruleset.rules) {
    (byMarket.get(r.market) ?? byMarket.set(r.market, new Set()).get(r.market))?.add(r.assetClass);
    (byAssetClass.get(r.assetClass) ?? byAssetClass.set(r.assetClass, new Set()).get(r.assetClass))?.add(r.market);
  }
  const sorted = (m: Map<string, Set<string>>) => new Map([...m].map(([k, v]) => [k, [...v].sort()] as const));
  const codes = { byMarket: sorted(byMarket), byAssetClass: sorted(byAssetClass) };
  KNOWN.set(ruleset, codes);
  return codes;
}

const range = (r: Rule): RuleRange => ({ ruleId: r.id, from: r.fromText, to: r.toText, cycleDays: r.cycleDays });
const named = (r: Rule): string => `${r.id} (${r.fromText}..${r.toText})`;
const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;

function amongRules(rules: readonly Rule[], tradeDay: DayNumber): NoRuleDetail {
  const next = rules.findIndex((r) => tradeDay < r.from);
  const after = next === -1 ? (rules[rules.length - 1] ?? null) : next === 0 ? null : (rules[next - 1] ?? null);
  const before = next === -1 ? null : (rules[next] ?? null);
  const position: MissPosition = after === null ? 'before_first' : before === null ? 'after_last' : 'between';
  const hint =
    position === 'before_first' && before
      ? `it is before the first rule of the key, ${named(before)}`
      : position === 'after_last' && after
        ? `it is after the last rule of the key, ${named(after)}`
        : `it falls between ${after ? named(after) : ''} and ${before ? named(before) : ''}`;
  const none = { suggestedMarkets: [], suggestedAssetClasses: [] };
  return { rulesOfKey: rules.map(range), position, previousRuleId: after?.id ?? null, nextRuleId: before?.id ?? null, ...none, hint };
}

function closestKnown(ruleset: Ruleset, assetClass: string, market: string): NoRuleDetail {
  const { byMarket, byAssetClass } = knownCodes(ruleset);
  const classesOfMarket = byMarket.get(market);
  const parts: string[] = [];
  let suggestedMarkets: KnownMarket[] = [];
  if (classesOfMarket === undefined) {
    suggestedMarkets = closestCodes(market, byMarket.keys()).map((m) => ({ market: m, assetClasses: byMarket.get(m) ?? [] }));
    parts.push(
      suggestedMarkets.length > 0
        ? `market "${market}" has no rules at all; did you mean ${list(suggestedMarkets.map((k) => `${k.market} (${k.assetClasses.join(', ')})`))}?`
        : `market "${market}" has no rules at all, and no known market is close (${byMarket.size} markets are known)`,
    );
  } else {
    parts.push(`${market} has rules for ${classesOfMarket.join(', ')}`);
  }
  let suggestedAssetClasses: KnownAssetClass[] = [];
  if (classesOfMarket !== undefined || !byAssetClass.has(assetClass)) {
    const pool = classesOfMarket ?? [...byAssetClass.keys()];
    suggestedAssetClasses = closestCodes(assetClass, pool).map((a) => ({ assetClass: a, markets: byAssetClass.get(a) ?? [] }));
    if (suggestedAssetClasses.length > 0) parts.push(`did you mean asset class ${list(suggestedAssetClasses.map((k) => k.assetClass))}?`);
    else if (classesOfMarket === undefined) parts.push(`asset class "${assetClass}" has no rules on any market`);
  }
  const hint = parts.join('; ');
  return {
    rulesOfKey: [],
    position: 'no_rules_for_key',
    previousRuleId: null,
    nextRuleId: null,
    suggestedMarkets,
    suggestedAssetClasses,
    hint,
  };
}

/**
 * A miss in a gap of the market default while segment rules are in force (a change phased by segment):
 * the request must name its segment. Null when no segment rule is in force on the trade date.
 */
function inPhasedGap(rules: readonly Rule[], tradeDay: DayNumber): NoRuleDetail | null {
  const inForce = [...new Set(rules.filter((r) => r.segment !== null && r.from <= tradeDay && tradeDay <= r.to).map((r) => r.segment))];
  if (inForce.length === 0) return null;
  const defaults = rules.filter((r) => r.segment === null);
  const before = defaults.filter((r) => r.to < tradeDay).at(-1) ?? null;
  const after = defaults.find((r) => r.from > tradeDay) ?? null;
  const from = before === null ? 'its first rule' : formatDay(before.to + 1);
  const to = after === null ? 'its last rule' : formatDay(after.from - 1);
  const hint =
    `it falls where the market default has no rule, from ${from} to ${to} (the market moved by segment then); pass the instrument's segment, ` +
    `one of ${inForce.sort().join(', ')} (the segments with a rule in force on ${formatDay(tradeDay)})`;
  const position: MissPosition = before === null ? 'before_first' : after === null ? 'after_last' : 'between';
  const none = { suggestedMarkets: [], suggestedAssetClasses: [] };
  return { rulesOfKey: rules.map(range), position, previousRuleId: before?.id ?? null, nextRuleId: after?.id ?? null, ...none, hint };
}

/** Why no rule of `ruleset` matches; computed only when none did (the NO_RULE and explain paths). */
export function describeMiss(ruleset: Ruleset, tradeDay: DayNumber, assetClass: string, market: string): NoRuleDetail {
  const rules = ruleset.rulesFor(assetClass, market);
  if (rules.length === 0) return closestKnown(ruleset, assetClass, market);
  return inPhasedGap(rules, tradeDay) ?? amongRules(rules, tradeDay);
}
