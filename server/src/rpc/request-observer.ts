import type { Rule } from '@tplus/core';

/**
 * What the request path reports, once per request (never per item): implemented by the metrics
 * module, or by a no-op in tests that do not look.
 */
export interface RequestObserver {
  requestDone(method: string, code: number, seconds: number): void;
  /** `count` decisions made by `rule` in one request. */
  decisions(rule: Rule, count: number): void;
  /** `count` items refused with `reason` in one request. */
  decisionErrors(reason: string, count: number): void;
  /** Size of one batch request. */
  batchItems(count: number): void;
}

export const NO_OBSERVER: RequestObserver = {
  requestDone: () => undefined,
  decisions: () => undefined,
  decisionErrors: () => undefined,
  batchItems: () => undefined,
};
