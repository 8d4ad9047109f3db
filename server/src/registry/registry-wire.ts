import type { VersionRecord } from './version-record.js';
import type { Snapshot__Output as SnapshotMessage } from '../rpc/generated/tplus/registry/v1/Snapshot.js';
import type { VersionInfo__Output as VersionInfoMessage } from '../rpc/generated/tplus/registry/v1/VersionInfo.js';
import type { PublishResponse__Output } from '../rpc/generated/tplus/registry/v1/PublishResponse.js';

/**
 * RegistryService messages, generated from proto/tplus/registry/v1/registry.proto by `npm run build`
 * (scripts/generate-proto-types.mjs; camelCase, uint64 as number, bytes as Buffer), named as the
 * registry, its clients and followers use them. `__Output` shapes are complete, so a proto change
 * fails the compile where a message is built or read.
 */
export type { PackFile__Output as PackFileMessage } from '../rpc/generated/tplus/registry/v1/PackFile.js';
export type { PublishRequest__Output as PublishRequestMessage } from '../rpc/generated/tplus/registry/v1/PublishRequest.js';
export type { RollbackRequest__Output as RollbackRequestMessage } from '../rpc/generated/tplus/registry/v1/RollbackRequest.js';
export type { VersionInfo__Output as VersionInfoMessage } from '../rpc/generated/tplus/registry/v1/VersionInfo.js';
export type { GetVersionRequest__Output as GetVersionRequestMessage } from '../rpc/generated/tplus/registry/v1/GetVersionRequest.js';
export type { ListVersionsRequest__Output as ListVersionsRequestMessage } from '../rpc/generated/tplus/registry/v1/ListVersionsRequest.js';
export type { ListVersionsResponse__Output as ListVersionsResponseMessage } from '../rpc/generated/tplus/registry/v1/ListVersionsResponse.js';
export type { Snapshot__Output as SnapshotMessage } from '../rpc/generated/tplus/registry/v1/Snapshot.js';
export type { Heartbeat__Output as HeartbeatMessage } from '../rpc/generated/tplus/registry/v1/Heartbeat.js';
export type { WatchRequest__Output as WatchRequestMessage } from '../rpc/generated/tplus/registry/v1/WatchRequest.js';
export type { WatchEvent__Output as WatchEventMessage } from '../rpc/generated/tplus/registry/v1/WatchEvent.js';
export type { DiffRequest__Output as DiffRequestMessage } from '../rpc/generated/tplus/registry/v1/DiffRequest.js';
export type { DiffRange__Output as DiffRangeMessage } from '../rpc/generated/tplus/registry/v1/DiffRange.js';
export type { DiffResponse__Output as DiffResponseMessage } from '../rpc/generated/tplus/registry/v1/DiffResponse.js';
/** The version a publish answers with while nothing is live yet (a pending version under four-eyes). */
export const NO_VERSION: VersionInfoMessage = {
  version: 0,
  parentVersion: 0,
  sha256: '',
  author: '',
  reason: '',
  publishedAt: '',
  rollbackOf: 0,
  signature: Buffer.alloc(0),
  keyId: '',
  approver: '',
  stage: '',
};

/** Publish and Rollback always answer with the version (the registry sets it on every response). */
export type PublishResponseMessage = PublishResponse__Output & { readonly version: VersionInfoMessage };
export type { ListAuditRequest__Output as ListAuditRequestMessage } from '../rpc/generated/tplus/registry/v1/ListAuditRequest.js';
export type { ListAuditResponse__Output as ListAuditResponseMessage } from '../rpc/generated/tplus/registry/v1/ListAuditResponse.js';
export type { AuditRow__Output as AuditRowMessage } from '../rpc/generated/tplus/registry/v1/AuditRow.js';
export type { PendingVersion__Output as PendingVersionMessage } from '../rpc/generated/tplus/registry/v1/PendingVersion.js';
export type { ListPendingRequest__Output as ListPendingRequestMessage } from '../rpc/generated/tplus/registry/v1/ListPendingRequest.js';
export type { ListPendingResponse__Output as ListPendingResponseMessage } from '../rpc/generated/tplus/registry/v1/ListPendingResponse.js';
export type { ApproveRequest__Output as ApproveRequestMessage } from '../rpc/generated/tplus/registry/v1/ApproveRequest.js';
export type { RejectRequest__Output as RejectRequestMessage } from '../rpc/generated/tplus/registry/v1/RejectRequest.js';
export type { RejectResponse__Output as RejectResponseMessage } from '../rpc/generated/tplus/registry/v1/RejectResponse.js';
export type { RegistryServiceHandlers } from '../rpc/generated/tplus/registry/v1/RegistryService.js';

/** The fields a version and its snapshot share. */
function versionFields(r: VersionRecord): Omit<VersionInfoMessage, 'stage'> {
  return {
    version: r.version,
    parentVersion: r.parentVersion,
    sha256: r.sha256,
    author: r.author,
    reason: r.reason,
    publishedAt: r.publishedAt,
    rollbackOf: r.rollbackOf,
    signature: r.signature,
    keyId: r.keyId,
    approver: r.approver ?? '',
  };
}

/** `stage`: the rollout stage of a candidate version (ListVersions only); '' for a version published live. */
export function versionInfo(r: VersionRecord, stage = ''): VersionInfoMessage {
  return { ...versionFields(r), stage };
}

export function snapshotMessage(r: VersionRecord): SnapshotMessage {
  return { ...versionFields(r), document: r.document };
}
