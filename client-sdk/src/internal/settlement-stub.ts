import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { SETTLEMENT_DESCRIPTOR } from '../generated/settlement-descriptor.js';
import type { TlsOptions } from '../types.js';
import type { ActivatedRulesetMessage } from './verify-ruleset.js';

/** SettlementDecision as proto-loader decodes it (camelCase, longs as numbers). */
export interface DecisionMessage {
  readonly settlementDate: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly cycleDays: number;
  readonly calendarId: string;
  readonly rulesetVersion: number;
  readonly rulesetHash: string;
}

export interface RequestMessage {
  readonly tradeDate: string;
  readonly assetClass: string;
  readonly market: string;
  readonly allowNonTradingDay?: boolean;
  readonly rulesetVersion?: number;
}

export interface BatchResultMessage {
  readonly decision?: DecisionMessage | null;
  readonly error?: { readonly code: string; readonly message: string } | null;
}

export interface RulesetHeartbeatMessage {
  readonly sentAt: string;
  readonly intervalMs: number;
  readonly activeVersion: number;
  readonly followingRegistry: boolean;
  readonly stalenessSeconds: number;
}

export interface RulesetEventMessage {
  readonly ruleset?: ActivatedRulesetMessage | null;
  readonly heartbeat?: RulesetHeartbeatMessage | null;
}

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;

export interface SettlementStub extends grpc.Client {
  GetSettlementDate(request: RequestMessage, options: grpc.CallOptions, callback: Callback<DecisionMessage>): grpc.ClientUnaryCall;
  BatchGetSettlementDates(
    request: { items: readonly RequestMessage[] },
    options: grpc.CallOptions,
    callback: Callback<{ results: BatchResultMessage[] }>,
  ): grpc.ClientUnaryCall;
  WatchRuleset(request: { knownVersion: number; knownSha256: string }, options?: grpc.CallOptions): grpc.ClientReadableStream<RulesetEventMessage>;
}

let constructorCache: grpc.ServiceClientConstructor | null = null;

function serviceConstructor(): grpc.ServiceClientConstructor {
  if (constructorCache) return constructorCache;
  const definition = fromJSON(SETTLEMENT_DESCRIPTOR, { longs: Number, enums: String, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    tplus: { settlement: { v1: { SettlementService: grpc.ServiceClientConstructor } } };
  };
  constructorCache = loaded.tplus.settlement.v1.SettlementService;
  return constructorCache;
}

/**
 * A raw grpc-js stub for the settlement service. Reconnects fast (the sidecar is on the same host),
 * so a restarted sidecar is used again within about a second.
 */
export function createSettlementStub(address: string, tls: TlsOptions | undefined): SettlementStub {
  const credentials = tls
    ? grpc.credentials.createSsl(tls.rootCerts ?? null, tls.privateKey ?? null, tls.certChain ?? null)
    : grpc.credentials.createInsecure();
  const Ctor = serviceConstructor();
  return new Ctor(address, credentials, {
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.min_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
  }) as unknown as SettlementStub;
}
