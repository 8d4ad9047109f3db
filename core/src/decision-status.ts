import type { DecisionErrorCode } from './decision-error.js';

/** The gRPC canonical status codes a decision error can carry (numbers from the gRPC specification). */
export const DECISION_STATUS = Object.freeze({ INVALID_ARGUMENT: 3, NOT_FOUND: 5, FAILED_PRECONDITION: 9, OUT_OF_RANGE: 11 } as const);

/**
 * THE mapping from decision error codes to gRPC status codes, used wherever an answer is computed: the
 * sidecar's status table, and the SDK for batch items and in-process answers. A `Record` over the code
 * union, so a new code does not compile until it is placed here.
 */
export const STATUS_BY_DECISION_ERROR: Readonly<Record<DecisionErrorCode, number>> = Object.freeze({
  INVALID_DATE: DECISION_STATUS.INVALID_ARGUMENT,
  INVALID_ARGUMENT: DECISION_STATUS.INVALID_ARGUMENT,
  BATCH_TOO_LARGE: DECISION_STATUS.INVALID_ARGUMENT,
  NO_RULE: DECISION_STATUS.NOT_FOUND,
  CALENDAR_NOT_FOUND: DECISION_STATUS.NOT_FOUND,
  NOT_A_TRADING_DAY: DECISION_STATUS.FAILED_PRECONDITION,
  VERSION_NOT_HELD: DECISION_STATUS.FAILED_PRECONDITION,
  CALENDAR_OUT_OF_RANGE: DECISION_STATUS.OUT_OF_RANGE,
});
