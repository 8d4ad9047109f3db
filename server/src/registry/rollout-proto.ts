import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_ROOT, SERVER_LOADER_OPTIONS } from '../rpc/index.js';

export const ROLLOUT_PROTO_FILE = 'tplus/registry/v1/rollout.proto';
export const ROLLOUT_SERVICE_NAME = 'tplus.registry.v1.RolloutService';

let cached: ServiceDefinition | null = null;

/** The RolloutService definition (served by the registry process), with the server's loader options. */
export function rolloutServiceDefinition(): ServiceDefinition {
  cached ??= loadSync(ROLLOUT_PROTO_FILE, { ...SERVER_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] })[
    ROLLOUT_SERVICE_NAME
  ] as ServiceDefinition;
  return cached;
}
