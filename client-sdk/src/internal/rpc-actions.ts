import type { ClientUnaryCall, ServiceError } from '@grpc/grpc-js';
import { cancelledError, whenAborted } from './abort.js';
import type { BatchResultMessage, DecisionMessage, RequestMessage, SettlementStub } from './settlement-stub.js';

/**
 * The two RPCs a breaker wraps, each with its own gRPC deadline (grpc-js cancels the call when it
 * expires) and optionally the caller's AbortSignal (aborting cancels the call; it rejects CANCELLED).
 */
export interface RpcActions {
  readonly unary: (req: RequestMessage, deadlineMs: number, signal?: AbortSignal) => Promise<DecisionMessage>;
  readonly batch: (items: readonly RequestMessage[], deadlineMs: number, signal?: AbortSignal) => Promise<BatchResultMessage[]>;
}

type Start<T> = (done: (err: ServiceError | null, value?: T) => void) => ClientUnaryCall;

function call<T>(start: Start<T>, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal === undefined) {
      start((err, value) => (err || value === undefined ? reject(err) : resolve(value)));
      return;
    }
    if (signal.aborted) return reject(cancelledError(signal));
    let stop = (): void => {};
    const c = start((err, value) => {
      stop();
      if (signal.aborted) reject(cancelledError(signal));
      else if (err || value === undefined) reject(err);
      else resolve(value);
    });
    stop = whenAborted(signal, () => c.cancel());
  });
}

export function rpcActions(stub: SettlementStub): RpcActions {
  return {
    unary: (req, deadlineMs, signal) =>
      call<DecisionMessage>((done) => stub.GetSettlementDate(req, { deadline: Date.now() + deadlineMs }, done), signal),
    batch: (items, deadlineMs, signal) =>
      // The generated input type is mutable; grpc-js only serializes the array, so no copy is made.
      call<{ results: BatchResultMessage[] }>(
        (done) => stub.BatchGetSettlementDates({ items: items as RequestMessage[] }, { deadline: Date.now() + deadlineMs }, done),
        signal,
      ).then((v) => v.results),
  };
}
