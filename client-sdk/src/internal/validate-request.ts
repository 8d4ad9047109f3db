import { SettlementError, Status } from '../settlement-error.js';
import type { SettlementRequest } from '../types.js';
import { invalidDate, parseDate } from './fallback-calendar.js';

/**
 * Checks a request before any call, so that bad input is refused the same way whether or not the
 * service is reachable (and never answered by the fallback). Returns the trade date's day number.
 */
export function validateRequest(req: SettlementRequest): number {
  if (typeof req !== 'object' || req === null) {
    throw new SettlementError(Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', 'request must be an object');
  }
  for (const field of ['assetClass', 'market'] as const) {
    const value: unknown = req[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new SettlementError(Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', `${field} must be a non-empty string`);
    }
  }
  const tradeDate: unknown = req.tradeDate;
  const day = typeof tradeDate === 'string' ? parseDate(tradeDate) : null;
  if (day === null) throw invalidDate('tradeDate', String(tradeDate));
  return day;
}
