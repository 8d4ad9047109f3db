import { formatMiss, type NoRuleError } from '@tplus/core';
import type { CliIo } from './cli-io.js';

/**
 * `tplus explain` for a trade no rule matches: why not on stdout (text, or with --json the error and the
 * typed detail in proto field names); the caller then rethrows, so stderr carries the NO_RULE line and
 * the exit code is 1, as for settle.
 */
export function writeMiss(
  io: CliIo,
  e: NoRuleError,
  asked: { tradeDate: string; assetClass: string; market: string },
  json: boolean,
): void {
  const m = e.miss;
  if (!json) {
    io.stdout.write(`${formatMiss(m, asked.tradeDate, asked.assetClass, asked.market)}\n`);
    return;
  }
  const noRule = {
    rules_of_key: m.rulesOfKey.map((r) => ({ rule_id: r.ruleId, effective_from: r.from, effective_to: r.to, cycle_days: r.cycleDays })),
    position: m.position,
    previous_rule_id: m.previousRuleId,
    next_rule_id: m.nextRuleId,
    suggested_markets: m.suggestedMarkets.map((k) => ({ market: k.market, asset_classes: k.assetClasses })),
    suggested_asset_classes: m.suggestedAssetClasses.map((k) => ({ asset_class: k.assetClass, markets: k.markets })),
    hint: m.hint,
  };
  io.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message }, no_rule: noRule })}\n`);
}
