/** Every reason a decision can be refused. The gRPC layer maps each to one status code. */
export const DECISION_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_DATE',
  'NO_RULE',
  'CALENDAR_NOT_FOUND',
  'CALENDAR_OUT_OF_RANGE',
  'NOT_A_TRADING_DAY',
  'VERSION_NOT_HELD',
  'BATCH_TOO_LARGE',
] as const;

export type DecisionErrorCode = (typeof DECISION_ERROR_CODES)[number];

export type DecisionErrorDetails = Readonly<Record<string, string>>;

/** The one error type the domain throws. `details` names the offending field and value. */
export class DecisionError extends Error {
  override readonly name = 'DecisionError';
  readonly code: DecisionErrorCode;
  readonly details: DecisionErrorDetails;

  constructor(code: DecisionErrorCode, message: string, details: DecisionErrorDetails = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function isDecisionError(value: unknown): value is DecisionError {
  return value instanceof DecisionError;
}
