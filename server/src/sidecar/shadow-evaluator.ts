import { isDecisionError, parseDay, type Ruleset } from '@tplus/core';
import { Counter, type Registry } from 'prom-client';
import { isExpected, type ExpectedChange } from '../registry/index.js';
import type { ShadowReportPart } from '../sync/index.js';
import type { GetSettlementDateRequest } from './wire-types.js';
import { termsOf } from './decide-rows.js';

/** Outcomes of one shadow evaluation: the label values of tplus_shadow_decisions_total. */
export const SHADOW_OUTCOMES = ['same', 'expected_change', 'unexpected_change', 'error'] as const;
export type ShadowOutcome = (typeof SHADOW_OUTCOMES)[number];

export interface ShadowLimits {
  /** Requests waiting for evaluation; when full, new ones are not evaluated (counted as dropped). */
  readonly queueSize: number;
  /** Evaluations per turn of the event loop. */
  readonly perTurn: number;
  /** Changed requests kept as samples, per outcome. */
  readonly samplesPerOutcome: number;
  /** (market, trade date, outcome) counters kept; beyond, changes are still counted in the totals. */
  readonly maxChangeKeys: number;
}

export const DEFAULT_SHADOW_LIMITS: ShadowLimits = Object.freeze({
  queueSize: 8_192,
  perTurn: 256,
  samplesPerOutcome: 20,
  maxChangeKeys: 2_000,
});

interface Shadow {
  readonly version: number;
  readonly ruleset: Ruleset;
  readonly declared: readonly ExpectedChange[];
}

const answer = (r: Ruleset, q: GetSettlementDateRequest): { text: string; rule: string } => {
  try {
    // The same terms (settlement type, segment) as the live answer: decide-rows.ts decideRequest.
    const d = r.decide(q.tradeDate, q.assetClass, q.market, q.allowNonTradingDay === true, termsOf(q));
    return { text: d.settlementDate, rule: d.rule.id };
  } catch (e) {
    if (isDecisionError(e)) return { text: e.code, rule: '' };
    throw e;
  }
};

/**
 * Evaluates live requests against the shadow (candidate) version OFF the response path. `offer` is
 * what a handler calls: it stores two references in a fixed ring and schedules a drain with
 * setImmediate, nothing else (no allocation, no logging, no I/O). The drain decides the request with
 * the live ruleset the handler used and with the shadow, and counts same / expected_change /
 * unexpected_change / error, keeping bounded samples of changes. A full ring drops the request from
 * evaluation and counts it (tplus_shadow_dropped_total): under pressure the shadow samples, the live
 * answer never waits.
 */
export class ShadowEvaluator {
  private shadow: Shadow | null = null;
  private readonly requests: (GetSettlementDateRequest | null)[];
  private readonly lives: (Ruleset | null)[];
  private head = 0;
  private size = 0;
  private scheduled = false;
  private readonly decisions: Counter<'outcome'>;
  private readonly droppedCounter: Counter;
  private totals = { same: 0, expectedChange: 0, unexpectedChange: 0, error: 0, dropped: 0 };
  private changes = new Map<string, { market: string; tradeDate: string; outcome: string; count: number }>();
  private samples: ShadowReportPart['samples'] = [];

  constructor(
    registry: Registry,
    private readonly sidecarId: string,
    private readonly limits: ShadowLimits = DEFAULT_SHADOW_LIMITS,
  ) {
    this.requests = new Array<GetSettlementDateRequest | null>(limits.queueSize).fill(null);
    this.lives = new Array<Ruleset | null>(limits.queueSize).fill(null);
    this.decisions = new Counter({
      name: 'tplus_shadow_decisions_total',
      help: 'Live requests evaluated against the shadow (candidate) version, by outcome: same answer, a change the candidate declared, a change outside its declaration, or an evaluation error.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of SHADOW_OUTCOMES) this.decisions.inc({ outcome }, 0);
    this.droppedCounter = new Counter({
      name: 'tplus_shadow_dropped_total',
      help: 'Live requests not evaluated against the shadow because its queue was full (the shadow samples under pressure).',
      registers: [registry],
    });
  }

  /** Starts shadowing `version` (counts restart from zero when the version changes). */
  set(version: number, ruleset: Ruleset, declared: readonly ExpectedChange[]): void {
    if (this.shadow?.version !== version) this.reset();
    this.shadow = { version, ruleset, declared };
  }

  clear(): void {
    this.shadow = null;
    this.reset();
  }

  get version(): number {
    return this.shadow?.version ?? 0;
  }

  /** The request path's only call: queue (live ruleset, request) for evaluation, or count it dropped. */
  offer(live: Ruleset, request: GetSettlementDateRequest): void {
    if (this.shadow === null || request.rulesetVersion !== undefined) return;
    if (this.size === this.limits.queueSize) {
      this.totals.dropped++;
      this.droppedCounter.inc();
      return;
    }
    const at = (this.head + this.size) % this.limits.queueSize;
    this.requests[at] = request;
    this.lives[at] = live;
    this.size++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Totals, changes by market and trade date, and samples, for the registry report. */
  report(): ShadowReportPart | null {
    if (this.shadow === null) return null;
    return {
      version: this.shadow.version,
      totals: { ...this.totals },
      changes: [...this.changes.values()].map((c) => ({ ...c })),
      samples: [...this.samples],
    };
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    for (let n = 0; n < this.limits.perTurn && this.size > 0; n++) {
      const request = this.requests[this.head] as GetSettlementDateRequest;
      const live = this.lives[this.head] as Ruleset;
      this.requests[this.head] = null;
      this.lives[this.head] = null;
      this.head = (this.head + 1) % this.limits.queueSize;
      this.size--;
      if (this.shadow !== null) this.evaluate(this.shadow, live, request);
    }
    if (this.size > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  };

  private evaluate(shadow: Shadow, live: Ruleset, q: GetSettlementDateRequest): void {
    let outcome: ShadowOutcome;
    let a: { text: string; rule: string } | null = null;
    let b: { text: string; rule: string } | null = null;
    try {
      a = answer(live, q);
      b = answer(shadow.ruleset, q);
      if (a.text === b.text) outcome = 'same';
      else outcome = isExpected(shadow.declared, parseDay(q.tradeDate), q.market) ? 'expected_change' : 'unexpected_change';
    } catch {
      outcome = 'error';
    }
    this.decisions.inc({ outcome });
    if (outcome === 'same') this.totals.same++;
    else if (outcome === 'expected_change') this.totals.expectedChange++;
    else if (outcome === 'unexpected_change') this.totals.unexpectedChange++;
    else this.totals.error++;
    if (outcome === 'same') return;
    const key = `${q.market}\u0000${q.tradeDate}\u0000${outcome}`;
    const held = this.changes.get(key);
    if (held) held.count++;
    else if (this.changes.size < this.limits.maxChangeKeys)
      this.changes.set(key, { market: q.market, tradeDate: q.tradeDate, outcome, count: 1 });
    if (this.samples.filter((s) => s.outcome === outcome).length < this.limits.samplesPerOutcome)
      this.samples.push({
        tradeDate: q.tradeDate,
        assetClass: q.assetClass,
        market: q.market,
        liveAnswer: a?.text ?? '',
        shadowAnswer: b?.text ?? '',
        liveRuleId: a?.rule ?? '',
        shadowRuleId: b?.rule ?? '',
        outcome,
        sidecarId: this.sidecarId,
      });
  }

  private reset(): void {
    this.totals = { same: 0, expectedChange: 0, unexpectedChange: 0, error: 0, dropped: 0 };
    this.changes = new Map();
    this.samples = [];
  }
}
