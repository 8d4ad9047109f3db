import { SettlementError, Status } from '../settlement-error.js';
import type { SettlementRequest } from '../types.js';
import { IDENTIFIER_SHAPES, INVALID_DAY, isAssetClass, isMarket, parseDay, shownValue } from '@tplus/core';
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
  return day;
}
