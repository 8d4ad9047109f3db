import type { VersionRecord } from './version-record.js';
import type { SignedFields } from '@tplus/core';

/** RegistryService messages as the server and clients see them (camelCase, uint64 as number, bytes as Buffer). */
export interface PackFileMessage {
  readonly path: string;
  readonly content: Buffer;
}

export interface PublishRequestMessage {
  readonly files: readonly PackFileMessage[];
  readonly reason: string;
  readonly author: string;
  readonly expectVersion?: number;
}

export interface RollbackRequestMessage {
  readonly toVersion: number;
  readonly reason: string;
  readonly author: string;
  readonly expectVersion?: number;
}

/** The signed fields of a version plus its signature. */
export interface VersionInfoMessage extends SignedFields {
  readonly signature: Buffer;
  readonly keyId: string;
}

export interface PublishResponseMessage {
  readonly version: VersionInfoMessage;
  readonly created: boolean;
  readonly warnings: readonly string[];
}

export interface SnapshotMessage extends VersionInfoMessage {
  readonly document: Buffer;
}

export interface HeartbeatMessage {
  readonly latestVersion: number;
  readonly sentAt: string;
  readonly heartbeatIntervalMs: number;
}

export interface WatchEventMessage {
  readonly snapshot?: SnapshotMessage | null;
  readonly heartbeat?: HeartbeatMessage | null;
  readonly event?: 'snapshot' | 'heartbeat';
}

export interface DiffRequestMessage {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly fromDate: string;
  readonly toDate: string;
}

export interface DiffRangeMessage {
  readonly assetClass: string;
  readonly market: string;
  readonly from: string;
  readonly to: string;
  readonly changedDates: number;
  readonly examples: readonly { readonly tradeDate: string; readonly before: string; readonly after: string }[];
}

export interface DiffResponseMessage {
  readonly fromSha256: string;
  readonly toSha256: string;
  readonly ranges: readonly DiffRangeMessage[];
}

export function versionInfo(r: VersionRecord): VersionInfoMessage {
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
  };
}

export function snapshotMessage(r: VersionRecord): SnapshotMessage {
  return { ...versionInfo(r), document: r.document };
}
