import type { BatchResultMessage, DecisionMessage, RequestMessage, SettlementStub } from './settlement-stub.js';

/** The two RPCs a breaker wraps, each with its own gRPC deadline (grpc-js cancels the call when it expires). */
export interface RpcActions {
  readonly unary: (req: RequestMessage, deadlineMs: number) => Promise<DecisionMessage>;
  readonly batch: (items: readonly RequestMessage[], deadlineMs: number) => Promise<BatchResultMessage[]>;
}

export function rpcActions(stub: SettlementStub): RpcActions {
  return {
    unary: (req, deadlineMs) =>
      new Promise<DecisionMessage>((resolve, reject) => {
        stub.GetSettlementDate(req, { deadline: Date.now() + deadlineMs }, (err, value) => (err || !value ? reject(err) : resolve(value)));
      }),
    batch: (items, deadlineMs) =>
      new Promise<BatchResultMessage[]>((resolve, reject) => {
        // The generated input type is mutable; grpc-js only serializes the array, so no copy is made.
        stub.BatchGetSettlementDates({ items: items as RequestMessage[] }, { deadline: Date.now() + deadlineMs }, (err, value) => (err || !value ? reject(err) : resolve(value.results)));
      }),
  };
}
