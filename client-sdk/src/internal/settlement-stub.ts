import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { SETTLEMENT_DESCRIPTOR } from '../generated/settlement-descriptor.js';
import type { TlsOptions } from '../types.js';
import type { ProtoGrpcType } from '../generated/types/settlement.js';
import type { SettlementServiceClient } from '../generated/types/tplus/settlement/v1/SettlementService.js';

/**
 * The settlement API's messages and client, generated from the proto at build (scripts/generate-descriptor.mjs,
 * the loader options below): what we send is the permissive input shape, what we receive the complete
 * `__Output` shape (camelCase, longs as numbers, defaults filled, oneof names set).
 */
export type { GetSettlementDateRequest as RequestMessage } from '../generated/types/tplus/settlement/v1/GetSettlementDateRequest.js';
export type { SettlementDecision__Output as DecisionMessage } from '../generated/types/tplus/settlement/v1/SettlementDecision.js';
export type { BatchResult__Output as BatchResultMessage } from '../generated/types/tplus/settlement/v1/BatchResult.js';
export type { RulesetHeartbeat__Output as RulesetHeartbeatMessage } from '../generated/types/tplus/settlement/v1/RulesetHeartbeat.js';
export type { RulesetEvent__Output as RulesetEventMessage } from '../generated/types/tplus/settlement/v1/RulesetEvent.js';
export type SettlementStub = SettlementServiceClient;

type StubConstructor = ProtoGrpcType['tplus']['settlement']['v1']['SettlementService'];

let constructorCache: StubConstructor | null = null;

function serviceConstructor(): StubConstructor {
  if (constructorCache) return constructorCache;
  const definition = fromJSON(SETTLEMENT_DESCRIPTOR, { longs: Number, enums: String, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
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
  });
}
