// The public surface of server/src/sync: what other folders may import (a lint rule keeps them from reaching past it).
export { Backoff } from './backoff.js';
export { type FollowConfig } from './follow-config.js';
export { Follower } from './follower.js';
export { ReplicationMetrics } from './replication-metrics.js';
export { SnapshotRejections } from './snapshot-rejections.js';
export { readToken, refuseForeignStore, startFollowing } from './start-following.js';
export { storedSignatureCheck } from './stored-signature-check.js';
export { SnapshotRejected, verifyAndBuild, verifySignedSnapshot, type VerifiedSnapshot } from './verify-snapshot.js';
export { parseRegistryAddresses, registryAddresses } from './registry-addresses.js';
