import { formatDay, parseDay, type DayNumber } from './date.js';
import type { RuleDocument } from './ruleset-document.js';

export interface RuleProblem {
  readonly ruleIds: readonly string[];
  readonly message: string;
}

/**
 * History checks per (asset_class, market) and per (asset_class, market, segment): rules of equal
 * specificity must not overlap. A market default's history must leave no gap between its first rule's
 * start and its last rule's end, except where segment rules of the key cover every day of the gap (a
 * change phased by segment, such as India's T+1: there a request must name its segment, and one that
 * does not is NO_RULE). A segment's history may have gaps (the market default answers in between).
 * Rules are taken as already individually valid.
 */
export function checkRuleHistories(rules: readonly RuleDocument[]): RuleProblem[] {
  const byKey = new Map<string, RuleDocument[]>();
  for (const rule of rules) {
    const key =
      rule.segment === undefined ? `${rule.assetClass} ${rule.market}` : `${rule.assetClass} ${rule.market} segment ${rule.segment}`;
    const list = byKey.get(key) ?? [];
    list.push(rule);
    byKey.set(key, list);
  }
  const problems: RuleProblem[] = [];
  const segmentRules = (key: string): RuleDocument[] =>
    [...byKey.entries()].filter(([k]) => k.startsWith(`${key} segment `)).flatMap(([, l]) => l);
  for (const [key, list] of byKey) {
    const sorted = [...list].sort((a, b) => parseDay(a.from) - parseDay(b.from));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as RuleDocument;
      const next = sorted[i] as RuleDocument;
      const prevEnd = parseDay(prev.to);
      const nextStart = parseDay(next.from);
      if (nextStart <= prevEnd) {
        problems.push({
          ruleIds: [prev.id, next.id],
          message: `rules ${prev.id} (${prev.from}..${prev.to}) and ${next.id} (${next.from}..${next.to}) overlap for ${key}`,
        });
      } else if (nextStart > prevEnd + 1 && prev.segment === undefined) {
        const segments = segmentRules(key);
        const uncovered = firstUncoveredDay(segments, prevEnd + 1, nextStart - 1);
        if (uncovered === null) continue;
        const why =
          segments.length === 0
            ? ''
            : ` (segment rules may stand in for the market default only on days every one of which some segment rule covers; none covers ${formatDay(uncovered)})`;
        problems.push({
          ruleIds: [prev.id, next.id],
          message: `gap in ${key} history: no rule between ${prev.id} ending ${prev.to} and ${next.id} starting ${next.from}${why}`,
        });
      }
    }
  }
  return problems;
}

/** The first day of from..to that no rule of `rules` covers, or null when they cover every day. */
function firstUncoveredDay(rules: readonly RuleDocument[], from: DayNumber, to: DayNumber): DayNumber | null {
  const periods = rules.map((r) => [parseDay(r.from), parseDay(r.to)] as const).sort((a, b) => a[0] - b[0]);
  let day = from;
  for (const [start, end] of periods) {
    if (start > day) break;
    if (end >= day) day = end + 1;
    if (day > to) return null;
  }
  return day;
}
