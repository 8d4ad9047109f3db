// The public surface of server/src/registry: what other folders may import (a lint rule keeps them from reaching past it).
export { packFiles } from './pack-files.js';
export {
  clientCredentials,
  clientTlsConfig,
  serverCredentials,
  serverTlsConfig,
  type ClientTlsConfig,
  type ServerTlsConfig,
} from './registry-credentials.js';
export { authMetadata, createRegistryClient, grpcTarget, REGISTRY_SERVICE_NAME, registryServiceDefinition } from './registry-proto.js';
export {
  NO_VERSION,
  snapshotMessage,
  versionInfo,
  type ApproveRequestMessage,
  type AuditRowMessage,
  type ListAuditRequestMessage,
  type ListAuditResponseMessage,
  type ListPendingRequestMessage,
  type ListPendingResponseMessage,
  type PendingVersionMessage,
  type RejectRequestMessage,
  type RejectResponseMessage,
  type DiffRangeMessage,
  type DiffRequestMessage,
  type DiffResponseMessage,
  type HeartbeatMessage,
  type GetVersionRequestMessage,
  type ListVersionsRequestMessage,
  type ListVersionsResponseMessage,
  type PackFileMessage,
  type PublishRequestMessage,
  type PublishResponseMessage,
  type RegistryServiceHandlers,
  type RollbackRequestMessage,
  type SnapshotMessage,
  type VersionInfoMessage,
  type WatchEventMessage,
  type WatchRequestMessage,
} from './registry-wire.js';
export { generateSigningKeys, readPrivateKey, readPublicKey } from './signing-keys.js';
export { type AuditEntry, type VersionRecord } from './version-record.js';
export { isExpected, parseExpectedChanges, type ExpectedChange } from './expect-changes.js';
export { rolloutServiceDefinition } from './rollout-proto.js';
export type * from './rollout-wire.js';
