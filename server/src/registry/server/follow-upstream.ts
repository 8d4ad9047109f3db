import type { Registry } from 'prom-client';
import { Backoff } from '../../sync/index.js';
import { Follower } from '../../sync/index.js';
import { ReplicationMetrics } from '../../sync/index.js';
import { readToken } from '../../sync/index.js';
import type { Logger } from '../../runtime/index.js';
import type { UpstreamConfig } from './registry-config.js';
import { auditOf } from './next-version.js';
import type { SqliteBackend } from './sqlite-backend.js';
import { readPublicKey } from '../index.js';
import type { HeartbeatMessage, SnapshotMessage } from '../index.js';
import type { VersionRecord } from '../index.js';

export interface FollowUpstreamDeps {
  /** A relay keeps its copy in SQLite (a relay over etcd is refused by the configuration). */
  readonly store: SqliteBackend;
  readonly log: Logger;
  readonly registry: Registry;
  readonly now: () => Date;
  /** Each heartbeat the upstream signed (verified): the relay passes it on to its own followers. */
  readonly onSignedHeartbeat?: (heartbeat: HeartbeatMessage) => void;
}

/** The record a relay stores: the upstream's snapshot, byte for byte (never re-signed). */
export function recordOf(s: SnapshotMessage): VersionRecord {
  return {
    version: s.version,
    parentVersion: s.parentVersion,
    sha256: s.sha256,
    signature: s.signature,
    keyId: s.keyId,
    author: s.author,
    reason: s.reason,
    publishedAt: s.publishedAt,
    rollbackOf: s.rollbackOf,
    document: s.document,
    ...(s.approver === '' ? {} : { approver: s.approver }),
  };
}

/**
 * A relay's write path: appends a version exactly as its upstream signed it (same number, hash and
 * signature; the caller has verified it), with its audit row. Idempotent for a version already held
 * with the same hash; refuses a gap or a different hash under a held number (throws: the follower
 * counts the snapshot as not stored).
 */
export function replicate(store: SqliteBackend, record: VersionRecord, now: () => Date): boolean {
  const appended = store.appendNow((latest) => {
    const latestVersion = latest?.version ?? 0;
    if (record.version <= latestVersion) {
      const held = store.store.get(record.version);
      if (held?.sha256 !== record.sha256)
        throw new Error(`version ${record.version} is held with sha256 ${held?.sha256 ?? 'none'}, the upstream sent ${record.sha256}`);
      return null;
    }
    if (record.version !== latestVersion + 1)
      throw new Error(`version ${record.version} does not follow the latest held version ${latestVersion}`);
    return { record, audit: auditOf(record, now(), { who: 'relay', action: 'Replicate', detail: '' }) };
  });
  return appended !== null;
}

/**
 * A relay's follower: the sidecar's verification (hash, signature with the upstream's key, canonical
 * document that builds a ruleset), then every version appended unchanged and in order — a gap (the
 * Watch stream only sends the latest) is filled with GetVersion first. Returns at once: a relay
 * serves what it holds while its upstream is away.
 */
export function followUpstream(config: UpstreamConfig, deps: FollowUpstreamDeps): Follower {
  const publicKey = readPublicKey(config.publicKeyFile);
  const token = config.tokenFile === null ? null : readToken(config.tokenFile);
  const follower = new Follower({
    address: config.address,
    token,
    ...(config.tls ? { tls: config.tls } : {}),
    publicKeys: [publicKey],
    ...(deps.onSignedHeartbeat ? { onSignedHeartbeat: deps.onSignedHeartbeat } : {}),
    source: `registry:${config.address}`,
    localVersion: () => deps.store.latestVersion(),
    install: (v) => void replicate(deps.store, recordOf(v.snapshot), deps.now),
    contiguous: true,
    log: deps.log,
    metrics: new ReplicationMetrics(deps.registry, deps.now, deps.now()),
    now: deps.now,
    backoff: new Backoff(config.backoffMinMs, config.backoffMaxMs),
  });
  follower.start();
  deps.log.info('relaying_upstream', {
    upstream: config.address,
    localVersion: deps.store.latestVersion(),
    authenticated: token !== null,
    tls: config.tls !== undefined,
  });
  return follower;
}
