import { callSignal, cancelledError } from './internal/abort.js';
import { ClientBase } from './internal/client-base.js';
import { fromDecision, toMessage, type BatchItemResult } from './internal/client-core.js';
import type { ReconcileSummary } from './internal/reconcile.js';
import { itemError } from './internal/to-settlement-error.js';
import { validateRequest } from './internal/validate-request.js';
import type { ProvisionalLedger } from './provisional-ledger.js';
import { Status, type SettlementError } from './settlement-error.js';
import { InProcessClient } from './internal/in-process-client.js';
import type {
  BreakerState,
  InProcessClientOptions,
  CallOptions,
  ReadyOptions,
  RpcMethod,
  SettlementClientEvents,
  SettlementClientOptions,
  SettlementDetails,
  SettlementRequest,
} from './types.js';

export type { BatchItemResult, ReconcileSummary };

/** `mode: 'in-process'`: the same calls answered from a synced ruleset, plus a synchronous one for hot loops. */
export interface InProcessSettlementClient extends SettlementClient {
  /**
   * The answer getSettlementDateDetails would give, synchronously (`source: 'in-process'`). Throws
   * SettlementError: the sidecar's codes for bad input and rules errors, NOT_READY before the first sync.
   */
  decideSync(request: SettlementRequest): SettlementDetails;
}

export interface SettlementClient {
  /** The settlement date; a fallback date when the service is unreachable (see getSettlementDateDetails). */
  getSettlementDate(request: SettlementRequest, options?: CallOptions): Promise<string>;
  /** The date with its source, provisional flag, rule and ruleset version. */
  getSettlementDateDetails(request: SettlementRequest, options?: CallOptions): Promise<SettlementDetails>;
  /** Many trades in one call; per-item results in request order. */
  getSettlementDates(requests: readonly SettlementRequest[], options?: CallOptions): Promise<BatchItemResult[]>;
  /**
   * Resolves once the client can answer from the service (RPC mode: the gRPC channel is ready; it
   * starts connecting if idle). Rejects with SettlementError DEADLINE_EXCEEDED after `timeoutMs`
   * (default 10,000), UNAVAILABLE once the client is closed.
   */
  ready(options?: ReadyOptions): Promise<void>;
  /** Re-checks every open provisional answer with the service. Safe to run twice. */
  reconcile(): Promise<ReconcileSummary>;
  on<K extends keyof SettlementClientEvents>(event: K, handler: (payload: SettlementClientEvents[K]) => void): () => void;
  breakerState(method: RpcMethod): BreakerState;
  readonly ledger: ProvisionalLedger;
  close(): Promise<void>;
}

class Client extends ClientBase implements SettlementClient {
  override async getSettlementDateDetails(request: SettlementRequest, options: CallOptions = {}): Promise<SettlementDetails> {
    const started = performance.now();
    const tradeDay = validateRequest(request);
    const signal = callSignal(options.signal);
    const core = this.core;
    try {
      const decision = await core.source.decide(toMessage(request), options.deadlineMs ?? core.deadlineMs, signal);
      core.record('GetSettlementDate', 'service', started);
      return fromDecision(decision);
    } catch (e) {
      const err = core.failure(e);
      if (err.isCallerError) {
        core.record('GetSettlementDate', 'caller_error', started);
        throw err;
      }
      try {
        const answer = core.fallbackOrThrow('GetSettlementDate', request, tradeDay, err, options);
        core.record('GetSettlementDate', 'fallback', started);
        return answer;
      } catch (thrown) {
        core.record('GetSettlementDate', 'failure', started);
        throw thrown;
      }
    }
  }

  async getSettlementDates(requests: readonly SettlementRequest[], options: CallOptions = {}): Promise<BatchItemResult[]> {
    const started = performance.now();
    const signal = callSignal(options.signal);
    if (signal?.aborted) throw cancelledError(signal);
    const core = this.core;
    const results: (BatchItemResult | undefined)[] = new Array<BatchItemResult | undefined>(requests.length);
    const days: number[] = [];
    const sent: number[] = [];
    requests.forEach((req, i) => {
      try {
        days[i] = validateRequest(req);
        sent.push(i);
      } catch (e) {
        results[i] = { ok: false, error: e as SettlementError };
      }
    });
    if (sent.length > 0) {
      try {
        const answers = await core.batch.fire(
          sent.map((i) => toMessage(requests[i] as SettlementRequest)),
          options.deadlineMs ?? core.batchDeadlineMs,
          signal,
        );
        sent.forEach((i, j) => {
          const a = answers[j];
          results[i] = a?.decision
            ? { ok: true, value: fromDecision(a.decision) }
            : { ok: false, error: itemError(a?.error?.code ?? 'INTERNAL', a?.error?.message ?? 'no result for this item') };
        });
        core.record('BatchGetSettlementDates', 'service', started);
      } catch (e) {
        const err = core.failure(e);
        if (err.code === Status.CANCELLED) {
          core.record('BatchGetSettlementDates', 'caller_error', started);
          throw err;
        }
        const outcome = err.isCallerError ? 'caller_error' : options.fallback === false ? 'failure' : 'fallback';
        for (const i of sent) {
          const req = requests[i] as SettlementRequest;
          try {
            results[i] = err.isCallerError
              ? { ok: false, error: err }
              : { ok: true, value: core.fallbackOrThrow('BatchGetSettlementDates', req, days[i] as number, err, options) };
          } catch (thrown) {
            results[i] = { ok: false, error: thrown as SettlementError };
          }
        }
        core.record('BatchGetSettlementDates', outcome, started);
      }
    }
    return results as BatchItemResult[];
  }

  ready(options: ReadyOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      return Promise.reject(new TypeError(`timeoutMs must be a positive number, got ${String(options.timeoutMs)}`));
    }
    return this.core.source.ready(timeoutMs);
  }
}

/**
 * Creates a client for one tplus sidecar. Each RPC method has its own circuit breaker; every call has
 * a gRPC deadline. Infrastructure failures answer from the provisional fallback; caller and rules
 * errors (bad input, NO_RULE, ...) are thrown as SettlementError and never fall back.
 */
export function createSettlementClient(options: InProcessClientOptions): InProcessSettlementClient;
export function createSettlementClient(options: SettlementClientOptions): SettlementClient;
export function createSettlementClient(
  options: SettlementClientOptions | InProcessClientOptions,
): SettlementClient | InProcessSettlementClient {
  const mode: unknown = options.mode ?? 'rpc';
  if (mode === 'in-process') return new InProcessClient(options as InProcessClientOptions);
  if (mode !== 'rpc') throw new TypeError(`mode must be 'rpc' or 'in-process', got ${JSON.stringify(mode)}`);
  return new Client(options);
}
