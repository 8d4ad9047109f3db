import { isDecisionError } from '@tplus/core';
import type { Decision, DecideTerms } from '@tplus/core';
import type { RulesetSnapshot } from '../store/index.js';
import { batchTooLarge } from './batch-too-large.js';
import type { DecisionTally } from './decision-tally.js';
import { pickVersion } from './pick-version.js';
import { decisionMessage } from './to-wire.js';
import { INTERNAL_MESSAGE, INTERNAL_REASON } from '../rpc/index.js';
import type { BatchResultMessage, GetSettlementDateRequest } from './wire-types.js';

/** The request's type and segment fields, or undefined when it has none (the plain REGULAR path). */
export function termsOf(req: TermsFields): DecideTerms | undefined {
  if (req.settlementType === '' && req.segment === '' && req.settlementDate === '' && req.optionDays === undefined) return undefined;
  return { settlementType: req.settlementType, optionDays: req.optionDays, settlementDate: req.settlementDate, segment: req.segment };
}

/** The four fields (120-123) GetSettlementDateRequest, ExplainSettlementDateRequest and InstrumentKey share. */
export interface TermsFields {
  readonly settlementType: string;
  readonly optionDays?: number | undefined;
  readonly settlementDate: string;
  readonly segment: string;
}

/** One decision for one request, from the snapshot the caller read. Throws DecisionError. */
export function decideRequest(snapshot: RulesetSnapshot, req: GetSettlementDateRequest): Decision {
  const held = pickVersion(snapshot, req.rulesetVersion);
  return held.ruleset.decide(req.tradeDate, req.assetClass, req.market, req.allowNonTradingDay === true, termsOf(req));
}

/**
 * A row-wise batch against one snapshot: results in request order, each a decision or a per-item
 * error. One bad item never fails the batch; an unexpected failure becomes that item's INTERNAL.
 */
export function decideRows(
  snapshot: RulesetSnapshot,
  items: readonly GetSettlementDateRequest[],
  maxItems: number,
  tally: DecisionTally,
  onInternalError: (err: unknown) => void,
): BatchResultMessage[] {
  if (items.length > maxItems) throw batchTooLarge('items', items.length, maxItems);
  const results = new Array<BatchResultMessage>(items.length);
  let internal = 0; // an unexpected failure is logged once per batch, not once per item
  for (let i = 0; i < items.length; i++) {
    const req = items[i] as GetSettlementDateRequest;
    try {
      const d = decideRequest(snapshot, req);
      tally.decision(d.rule);
      results[i] = { decision: decisionMessage(d) };
    } catch (err) {
      if (isDecisionError(err)) {
        tally.error(err.code);
        results[i] = { error: { code: err.code, message: err.message } };
      } else {
        if (internal++ === 0) onInternalError(err);
        tally.error(INTERNAL_REASON);
        results[i] = { error: { code: INTERNAL_REASON, message: INTERNAL_MESSAGE } };
      }
    }
  }
  return results;
}
