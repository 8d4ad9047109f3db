import { status, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_ROOT, SERVER_LOADER_OPTIONS } from '../rpc/index.js';
import type { ShadowServiceHandlers } from '../rpc/generated/tplus/settlement/v1/ShadowService.js';
import type { ShadowEvaluator } from './shadow-evaluator.js';

export const SHADOW_PROTO_FILE = 'tplus/settlement/v1/shadow.proto';
export const SHADOW_SERVICE_NAME = 'tplus.settlement.v1.ShadowService';

let cached: ServiceDefinition | null = null;

/** The ShadowService definition (camelCase fields, uint64 as number). */
export function shadowServiceDefinition(): ServiceDefinition {
  cached ??= loadSync(SHADOW_PROTO_FILE, { ...SERVER_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] })[SHADOW_SERVICE_NAME] as ServiceDefinition;
  return cached;
}

const EMPTY = { same: 0, expectedChange: 0, unexpectedChange: 0, error: 0, dropped: 0 };

/** ShadowService: this sidecar's shadow counts and samples (version 0 when it shadows nothing). Synchronous. */
export function shadowService(shadow: ShadowEvaluator): ShadowServiceHandlers {
  return {
    GetShadowReport: (_call, callback) => {
      try {
        const r = shadow.report();
        callback(null, r === null ? { version: 0, totals: EMPTY, changes: [], samples: [], followers: 1 } : { ...r, followers: 1 });
      } catch {
        callback({ code: status.INTERNAL, details: 'shadow report failed' });
      }
    },
  };
}
