import type { Rule } from '@tplus/core';
import type { RequestObserver } from '../rpc/index.js';

/**
 * Counts a request's decisions per rule and errors per reason, so that a batch or stream reports
 * one increment per label set instead of one per item.
 */
export class DecisionTally {
  private readonly byRule = new Map<Rule, number>();
  private readonly byReason = new Map<string, number>();
  private pending = 0;

  /** Items counted since the last flush. */
  get size(): number {
    return this.pending;
  }

  decision(rule: Rule): void {
    this.byRule.set(rule, (this.byRule.get(rule) ?? 0) + 1);
    this.pending++;
  }

  error(reason: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.pending++;
  }

  flush(observer: RequestObserver): void {
    for (const [rule, n] of this.byRule) observer.decisions(rule, n);
    for (const [reason, n] of this.byReason) observer.decisionErrors(reason, n);
    this.byRule.clear();
    this.byReason.clear();
    this.pending = 0;
  }
}
