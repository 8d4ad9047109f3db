import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState, RpcMethod } from '../types.js';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

export type Outcome = 'service' | 'fallback' | 'caller_error' | 'failure';

/** The SDK's metrics, registered only on the caller's Registry (never the global one). */
export class ClientMetrics {
  private readonly requests: Counter<'method' | 'outcome'>;
  private readonly fallbacks: Counter<'method' | 'reason'>;
  private readonly breaker: Gauge<'method'>;
  private readonly duration: Histogram<'method' | 'outcome'>;
  private readonly ledgerFailures: Counter;

  /** `ledgerPending` reads the ledger's entries not yet durable on disk (0 for an in-memory ledger). */
  constructor(registry: Registry, ledgerPending: () => number) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'tplus_client_requests_total',
      help: 'SDK calls by method and outcome (service, fallback, caller_error, failure).',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'tplus_client_fallbacks_total',
      help: 'Answers given by the provisional fallback, by method and reason.',
      labelNames: ['method', 'reason'],
      registers,
    });
    this.breaker = new Gauge({
      name: 'tplus_client_breaker_state',
      help: 'Circuit breaker state per method: 0 closed, 1 half-open, 2 open.',
      labelNames: ['method'],
      registers,
    });
    this.duration = new Histogram({
      name: 'tplus_client_request_duration_seconds',
      help: 'SDK call duration, including fallback, by method and outcome.',
      labelNames: ['method', 'outcome'],
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.ledgerFailures = new Counter({
      name: 'tplus_client_ledger_write_failures_total',
      help: 'Ledger writes (batch append + fdatasync) that failed; the entries stay in memory and are retried.',
      registers,
    });
    new Gauge({
      name: 'tplus_client_ledger_pending_entries',
      help: 'Ledger entries recorded in memory and not yet durable on disk.',
      registers,
      collect() {
        this.set(ledgerPending());
      },
    });
  }

  ledgerWriteFailure(): void {
    this.ledgerFailures.inc();
  }

  request(method: RpcMethod, outcome: Outcome, seconds: number): void {
    this.requests.inc({ method, outcome });
    this.duration.observe({ method, outcome }, seconds);
  }

  fallback(method: RpcMethod, reason: string): void {
    this.fallbacks.inc({ method, reason });
  }

  breakerState(method: RpcMethod, state: BreakerState): void {
    this.breaker.set({ method }, STATE_VALUE[state]);
  }
}
