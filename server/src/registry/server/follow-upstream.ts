import type { Registry } from 'prom-client';
import { Backoff } from '../../sync/index.js';
import { Follower } from '../../sync/index.js';
import { ReplicationMetrics } from '../../sync/index.js';
import { readToken } from '../../sync/index.js';
import type { Logger } from '../../runtime/index.js';
import type { UpstreamConfig } from './registry-config.js';
import type { RegistryLedger } from './registry-ledger.js';
import { readPublicKey } from '../index.js';
import type { HeartbeatMessage, SnapshotMessage } from '../index.js';
import type { VersionRecord } from '../index.js';

export interface FollowUpstreamDeps {
  readonly ledger: RegistryLedger;
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
    localVersion: () => deps.ledger.store.count(),
    install: (v) => void deps.ledger.replicate(recordOf(v.snapshot)),
    contiguous: true,
    log: deps.log,
    metrics: new ReplicationMetrics(deps.registry, deps.now, deps.now()),
    now: deps.now,
    backoff: new Backoff(config.backoffMinMs, config.backoffMaxMs),
  });
  follower.start();
  deps.log.info('relaying_upstream', {
    upstream: config.address,
    localVersion: deps.ledger.store.count(),
    authenticated: token !== null,
    tls: config.tls !== undefined,
  });
  return follower;
}
