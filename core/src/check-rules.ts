import { parseDay } from './date.js';
import type { RuleDocument } from './ruleset-document.js';

export interface RuleProblem {
  readonly ruleIds: readonly string[];
  readonly message: string;
}

/**
 * History checks per (asset_class, market) and per (asset_class, market, segment): rules of equal
 * specificity must not overlap. A market default's history must leave no gap between its first rule's
 * start and its last rule's end; a segment's may (the market default answers in between). Rules are
 * taken as already individually valid.
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
        problems.push({
          ruleIds: [prev.id, next.id],
          message: `gap in ${key} history: no rule between ${prev.id} ending ${prev.to} and ${next.id} starting ${next.from}`,
        });
      }
    }
  }
  return problems;
}
