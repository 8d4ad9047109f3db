import { formatMiss, type NoRuleError } from '@tplus/core';
import type { ExplainSettlementDateRequest, ExplainSettlementDateResponse, NoRuleDetailMessage } from './wire-types.js';

/** ExplainSettlementDate for a trade no rule matches: OK, no decision, `no_rule` saying why not. */
export function explainMissMessage(req: ExplainSettlementDateRequest, e: NoRuleError): ExplainSettlementDateResponse {
  const m = e.miss;
  const noRule: NoRuleDetailMessage = {
    rulesOfKey: m.rulesOfKey.map((r) => ({ ruleId: r.ruleId, effectiveFrom: r.from, effectiveTo: r.to, cycleDays: r.cycleDays })),
    position: m.position,
    previousRuleId: m.previousRuleId ?? '',
    nextRuleId: m.nextRuleId ?? '',
    suggestedMarkets: m.suggestedMarkets.map((k) => ({ market: k.market, assetClasses: [...k.assetClasses] })),
    suggestedAssetClasses: m.suggestedAssetClasses.map((k) => ({ assetClass: k.assetClass, markets: [...k.markets] })),
    hint: m.hint,
  };
  return {
    decision: null,
    candidates: [],
    tradingDay: null,
    steps: [],
    text: formatMiss(m, req.tradeDate, req.assetClass, req.market),
    ruleSource: '',
    noRule,
  };
}
