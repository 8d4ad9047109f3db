import { SettlementError, Status } from '../settlement-error.js';
import type { SettlementRequest } from '../types.js';
import { invalidDate, parseDate } from './fallback-calendar.js';

/**
 * The shapes a rule pack allows for these fields: a mirror of the server's IDENTIFIER_SHAPES
 * (server/src/domain/identifier-shapes.ts), which the SDK cannot import; test/sdk/request-shapes.test.ts
 * fails when the two differ. A value of another shape can never match a rule.
 */
export const REQUEST_SHAPES = Object.freeze({
  market: { pattern: /^[A-Z0-9]{4}$/, text: 'an ISO 10383 MIC (4 upper-case letters or digits)' },
  assetClass: { pattern: /^[A-Z][A-Z0-9_]{0,31}$/, text: 'an upper-case letter, then at most 31 upper-case letters, digits or _' },
});

function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…(${value.length} chars)` : value;
}

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
  for (const field of ['assetClass', 'market'] as const) {
    const value: unknown = req[field];
    if (typeof value !== 'string' || value.length === 0) throw invalid(`${field} must be a non-empty string`);
    const shape = REQUEST_SHAPES[field];
    if (!shape.pattern.test(value)) throw invalid(`${field} ${JSON.stringify(shown(value))} is not ${shape.text}`);
  }
  const tradeDate: unknown = req.tradeDate;
  const day = typeof tradeDate === 'string' ? parseDate(tradeDate) : null;
  if (day === null) throw invalidDate('tradeDate', String(tradeDate));
  return day;
}
