import { SettlementError, Status } from '../settlement-error.js';
import type { SettlementRequest } from '../types.js';
import { IDENTIFIER_SHAPES, INVALID_DAY, isAssetClass, isMarket, parseDay, SETTLEMENT_TYPES, shownValue } from '@tplus/core';
import { invalidDate } from './fallback-calendar.js';

function invalid(message: string): SettlementError {
  return new SettlementError(Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', message);
}

/**
 * Checks a request before any call, so that bad input is refused the same way whether or not the
 * service is reachable (and never answered by the fallback, never counted by a breaker). Returns the
 * trade date's day number.
 */
export function validateRequest(req: SettlementRequest): number {
  if (typeof req !== 'object' || req === null) throw invalid('request must be an object');
  // The same shapes the rule pack and the sidecar use (@tplus/core): a value of another shape can never match a rule.
  const { assetClass, market } = req as { assetClass: unknown; market: unknown };
  if (typeof assetClass !== 'string' || assetClass.length === 0) throw invalid('assetClass must be a non-empty string');
  if (!isAssetClass(assetClass))
    throw invalid(`assetClass ${JSON.stringify(shownValue(assetClass))} is not ${IDENTIFIER_SHAPES.asset_class.text}`);
  if (typeof market !== 'string' || market.length === 0) throw invalid('market must be a non-empty string');
  if (!isMarket(market)) throw invalid(`market ${JSON.stringify(shownValue(market))} is not ${IDENTIFIER_SHAPES.market.text}`);
  const tradeDate: unknown = req.tradeDate;
  const day = typeof tradeDate === 'string' ? parseDay(tradeDate) : INVALID_DAY;
  if (day === INVALID_DAY) throw invalidDate('tradeDate', String(tradeDate));
  if (req.settlementType !== undefined || req.optionDays !== undefined || req.settlementDate !== undefined || req.segment !== undefined) {
    validateTerms(req, day);
  }
  return day;
}

/**
 * The settlement type and segment fields, checked as far as they can be without the rule pack (its
 * bounds are checked where the answer is computed), so that the fallback never answers a request the
 * service would refuse for its shape.
 */
function validateTerms(req: SettlementRequest, tradeDay: number): void {
  const { settlementType, optionDays, settlementDate, segment } = req as {
    settlementType: unknown;
    optionDays: unknown;
    settlementDate: unknown;
    segment: unknown;
  };
  const type = settlementType ?? 'REGULAR';
  if (typeof type !== 'string' || !(SETTLEMENT_TYPES as readonly string[]).includes(type)) {
    throw invalid(
      `settlementType ${JSON.stringify(typeof type === 'string' ? shownValue(type) : type)} is not one of ${SETTLEMENT_TYPES.join(', ')}`,
    );
  }
  if (optionDays !== undefined) {
    if (type !== 'SELLERS_OPTION') throw invalid(`optionDays applies only to settlementType SELLERS_OPTION, not ${type}`);
    if (typeof optionDays !== 'number' || !Number.isInteger(optionDays) || optionDays < 0 || optionDays > 1000) {
      throw invalid(`optionDays ${JSON.stringify(optionDays)} is not a whole number of business days (0..1000)`);
    }
  } else if (type === 'SELLERS_OPTION') throw invalid('optionDays is required with settlementType SELLERS_OPTION');
  if (settlementDate !== undefined) {
    if (type !== 'WHEN_ISSUED') throw invalid(`settlementDate applies only to settlementType WHEN_ISSUED, not ${type}`);
    const text = typeof settlementDate === 'string' ? settlementDate : JSON.stringify(settlementDate);
    const day = typeof settlementDate === 'string' ? parseDay(settlementDate) : INVALID_DAY;
    if (day === INVALID_DAY) throw invalidDate('settlementDate', text);
    if (day < tradeDay) throw invalid(`settlementDate ${text} is before the trade date`);
  } else if (type === 'WHEN_ISSUED') throw invalid('settlementDate (the announced date) is required with settlementType WHEN_ISSUED');
  if (segment !== undefined && (typeof segment !== 'string' || !IDENTIFIER_SHAPES.segment.pattern.test(segment))) {
    throw invalid(
      `segment ${JSON.stringify(typeof segment === 'string' ? shownValue(segment) : segment)} is not ${IDENTIFIER_SHAPES.segment.text}`,
    );
  }
}
