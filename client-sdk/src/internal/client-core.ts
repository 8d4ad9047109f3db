import { randomUUID } from 'node:crypto';
import type CircuitBreaker from 'opossum';
import { isWatchable } from '../ledger-events.js';
import { InMemoryLedger, type ProvisionalLedger } from '../provisional-ledger.js';
import type { SettlementError } from '../settlement-error.js';
import type {
  BreakerState,
  CallOptions,
  RpcMethod,
  SettlementClientEvents,
  SettlementClientOptions,
  SettlementDetails,
  SettlementRequest,
  SettlementTypeName,
} from '../types.js';
import { AlertPolicy } from './alert-policy.js';
import type { AnswerSource } from './answer-source.js';
import { createBreaker, stateOf } from './breakers.js';
import { coalesceConfig } from './coalesce-options.js';
import { ClientMetrics, type Outcome } from './client-metrics.js';
import { EventHub } from './event-hub.js';
import { FallbackCalendar } from './fallback-calendar.js';
import { watchLedger } from './ledger-alerts.js';
import { rpcActions } from './rpc-actions.js';
import { createRpcSource } from './rpc-source.js';
import {
  createSettlementStub,
  type BatchResultMessage,
  type DecisionMessage,
  type RequestMessage,
  type SettlementStub,
} from './settlement-stub.js';
import { toSettlementError } from './to-settlement-error.js';
import { waitForChannel } from './wait-for-channel.js';

export type BatchItemResult =
  { readonly ok: true; readonly value: SettlementDetails } | { readonly ok: false; readonly error: SettlementError };

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  return v;
}

/**
 * The wire request. SettlementRequest already has the proto's (camelCase) field names and the encoder
 * ignores anything else, so the caller's object is sent as it is: no copy per call or per batch item.
 */
export function toMessage(req: SettlementRequest): RequestMessage {
  return req;
}

export function fromDecision(d: DecisionMessage): SettlementDetails {
  return {
    settlementDate: d.settlementDate,
    source: 'service',
    provisional: false,
    cycleDays: d.cycleDays,
    ruleId: d.ruleId,
    ruleName: d.ruleName,
    calendarId: d.calendarId,
    rulesetVersion: d.rulesetVersion,
    rulesetHash: d.rulesetHash,
    // A sidecar older than these fields sends none: it answered REGULAR on the market default.
    settlementType: (d.settlementType === '' ? 'REGULAR' : d.settlementType) as SettlementTypeName,
    ...(d.segment === '' ? {} : { segment: d.segment }),
    businessDays: d.settlementType === '' ? d.cycleDays : d.businessDays,
    ...(d.settlementTypeSource === '' ? {} : { settlementTypeSource: d.settlementTypeSource }),
  };
}

/** Everything one client holds: the stub, the answer source, a breaker per method, fallback, ledger, events, metrics. */
export class ClientCore {
  readonly stub: SettlementStub;
  readonly events: EventHub<SettlementClientEvents>;
  readonly ledger: ProvisionalLedger;
  readonly deadlineMs: number;
  readonly batchDeadlineMs: number;
  /** Answers getSettlementDate*: coalesced batch RPCs or unary RPCs, through the breaker `single`. */
  readonly source: AnswerSource;
  readonly batch: CircuitBreaker<[readonly RequestMessage[], number, (AbortSignal | undefined)?], BatchResultMessage[]>;
  private readonly single: CircuitBreaker;
  private readonly fallbackCalendar: FallbackCalendar | null;
  private readonly metrics: ClientMetrics | null;
  private readonly alerts: AlertPolicy;
  private readonly unwatchLedger: () => void;

  constructor(options: SettlementClientOptions, onBreakerClose: () => void) {
    if (typeof options.address !== 'string' || options.address.length === 0) throw new TypeError('address must be a non-empty string');
    this.deadlineMs = positive('deadlineMs', options.deadlineMs, 50);
    this.batchDeadlineMs = Math.max(this.deadlineMs, 1_000);
    const coalesce = coalesceConfig(options.coalesce, this.deadlineMs);
    this.fallbackCalendar =
      options.fallback === false ? null : new FallbackCalendar(options.fallback?.cycleDays ?? 2, options.fallback?.holidays ?? []);
    const alertIntervalMs = positive('alertIntervalMs', options.alertIntervalMs, 60_000);
    const healthyPeriodMs = positive('healthyPeriodMs', options.healthyPeriodMs, 60_000);
    this.alerts = new AlertPolicy(alertIntervalMs, healthyPeriodMs);
    const ledger = (this.ledger = options.ledger ?? new InMemoryLedger());
    this.metrics = options.registry ? new ClientMetrics(options.registry, () => (isWatchable(ledger) ? ledger.pending : 0)) : null;
    this.events = new EventHub((event, error) => {
      process.emitWarning(`tplus client: a ${event} handler threw: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (options.onAlert) this.events.on('alert', options.onAlert);
    this.unwatchLedger = watchLedger(this.ledger, this.events, this.metrics, new AlertPolicy(alertIntervalMs, healthyPeriodMs));
    this.stub = createSettlementStub(options.address, options.tls);
    const breakerOptions = options.breaker ?? {};
    const actions = rpcActions(this.stub);
    this.batch = createBreaker(actions.batch, breakerOptions);
    const rpc = createRpcSource(actions, coalesce, breakerOptions, (timeoutMs) => waitForChannel(this.stub, options.address, timeoutMs));
    this.source = rpc.source;
    this.single = rpc.breaker;
    this.watch('GetSettlementDate', this.single, onBreakerClose);
    this.watch('BatchGetSettlementDates', this.batch, onBreakerClose);
  }

  private watch<A extends unknown[], R>(method: RpcMethod, breaker: CircuitBreaker<A, R>, onClose: () => void): void {
    this.metrics?.breakerState(method, 'closed');
    breaker.on('open', () => {
      this.metrics?.breakerState(method, 'open');
      this.events.emit('breakerOpen', { method, at: Date.now() });
    });
    breaker.on('halfOpen', () => {
      this.metrics?.breakerState(method, 'halfOpen');
      this.events.emit('breakerHalfOpen', { method, at: Date.now() });
    });
    breaker.on('close', () => {
      this.metrics?.breakerState(method, 'closed');
      this.events.emit('breakerClose', { method, at: Date.now() });
      onClose();
    });
  }

  breakerState(method: RpcMethod): BreakerState {
    return method === 'GetSettlementDate' ? stateOf(this.single) : stateOf(this.batch);
  }

  record(method: RpcMethod, outcome: Outcome, startedAt: number): void {
    this.metrics?.request(method, outcome, (performance.now() - startedAt) / 1000);
  }

  /** Decides what an infrastructure failure turns into: a provisional answer, or the error itself. */
  fallbackOrThrow(method: RpcMethod, req: SettlementRequest, tradeDay: number, err: SettlementError, call: CallOptions): SettlementDetails {
    if (this.fallbackCalendar === null || call.fallback === false) throw err;
    const settlementDate = this.fallbackCalendar.settleFor(req, tradeDay);
    const now = Date.now();
    const ledgerId = randomUUID();
    this.ledger.record({
      id: ledgerId,
      request: req,
      provisionalDate: settlementDate,
      at: new Date(now).toISOString(),
      reason: err.reason,
      status: 'open',
    });
    this.metrics?.fallback(method, err.reason);
    if (this.events.has('fallback')) {
      this.events.emit('fallback', { method, request: req, settlementDate, errorCode: err.reason, reason: err.message, at: now });
    }
    const alert = this.alerts.onFallback(now);
    if (alert) {
      this.events.emit('alert', {
        kind: 'fallback',
        method,
        errorCode: err.reason,
        message: `tplus settlement service unusable (${err.reason}: ${err.message}); answering provisional T+${this.fallbackCalendar.cycleDays} dates`,
        ...alert,
        at: now,
      });
    }
    return {
      settlementDate,
      source: 'fallback',
      provisional: true,
      cycleDays: this.fallbackCalendar.cycleDays,
      settlementType: req.settlementType ?? 'REGULAR',
      errorCode: err.reason,
      reason: err.message,
      ledgerId,
    };
  }

  failure(e: unknown): SettlementError {
    return toSettlementError(e);
  }

  close(): void {
    this.unwatchLedger();
    this.single.shutdown();
    this.batch.shutdown();
    this.stub.close();
  }
}
