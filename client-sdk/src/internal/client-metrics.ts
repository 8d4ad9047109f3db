import type { BreakerState, RpcMethod } from '../types.js';
import { CounterFamily, GaugeFamily, HistogramFamily, type MetricsRegistry } from './metric-family.js';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

export type Outcome = 'service' | 'fallback' | 'caller_error' | 'failure';

/** The SDK's metrics, registered only on the caller's Registry (never the global one). */
export class ClientMetrics {
  private readonly requests: CounterFamily;
  private readonly fallbacks: CounterFamily;
  private readonly breaker: GaugeFamily;
  private readonly duration: HistogramFamily;
  private readonly ledgerFailures: CounterFamily;

  /** `ledgerPending` reads the ledger's entries not yet durable on disk (0 for an in-memory ledger). */
  constructor(registry: MetricsRegistry, ledgerPending: () => number) {
    this.requests = new CounterFamily(
      'tplus_client_requests_total',
      'SDK calls by method and outcome (service, fallback, caller_error, failure).',
      {
        labelled: true,
      },
    ).register(registry);
    this.fallbacks = new CounterFamily('tplus_client_fallbacks_total', 'Answers given by the provisional fallback, by method and reason.', {
      labelled: true,
    }).register(registry);
    this.breaker = new GaugeFamily('tplus_client_breaker_state', 'Circuit breaker state per method: 0 closed, 1 half-open, 2 open.', {
      labelled: true,
    }).register(registry);
    this.duration = new HistogramFamily(
      'tplus_client_request_duration_seconds',
      'SDK call duration, including fallback, by method and outcome.',
      [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    ).register(registry);
    this.ledgerFailures = new CounterFamily(
      'tplus_client_ledger_write_failures_total',
      'Ledger writes (batch append + fdatasync) that failed; the entries stay in memory and are retried.',
      { labelled: false },
    ).register(registry);
    new GaugeFamily('tplus_client_ledger_pending_entries', 'Ledger entries recorded in memory and not yet durable on disk.', {
      labelled: false,
      collect: (g) => g.set({}, ledgerPending()),
    }).register(registry);
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
