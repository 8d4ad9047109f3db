import { parseDay } from './date.js';
import type { RuleDocument } from './ruleset-document.js';

export interface RuleProblem {
  readonly ruleIds: readonly string[];
  readonly message: string;
}

/**
 * History checks per (asset_class, market): rules must not overlap and must leave no gap between the
 * first rule's start and the last rule's end. Rules are taken as already individually valid.
 */
export function checkRuleHistories(rules: readonly RuleDocument[]): RuleProblem[] {
  const byKey = new Map<string, RuleDocument[]>();
  for (const rule of rules) {
    const key = `${rule.assetClass} ${rule.market}`;
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
      } else if (nextStart > prevEnd + 1) {
        problems.push({
          ruleIds: [prev.id, next.id],
          message: `gap in ${key} history: no rule between ${prev.id} ending ${prev.to} and ${next.id} starting ${next.from}`,
        });
      }
    }
  }
  return problems;
}
