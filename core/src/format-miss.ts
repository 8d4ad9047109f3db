import type { NoRuleDetail } from './explain-miss.js';

/** A person-readable rendering of a miss, one fact per line (the explain text). */
export function formatMiss(miss: NoRuleDetail, tradeDate: string, assetClass: string, market: string): string {
  const lines = [`no rule for ${assetClass} on ${market} on trade date ${tradeDate}`];
  if (miss.rulesOfKey.length > 0) {
    lines.push('rules for this market and asset class:');
    for (const r of miss.rulesOfKey) lines.push(`  ${r.ruleId} T+${r.cycleDays} ${r.from}..${r.to}`);
    lines.push(`trade date ${tradeDate} ${miss.hint.replace(/^it /, '')}`);
  } else {
    lines.push(miss.hint);
  }
  return lines.join('\n');
}
