// The public surface of server/src/sync: what other folders may import (a lint rule keeps them from reaching past it).
export { Backoff } from './backoff.js';
export { type FollowConfig } from './follow-config.js';
export { Follower } from './follower.js';
export { ReplicationMetrics } from './replication-metrics.js';
export { SnapshotRejections } from './snapshot-rejections.js';
export { readToken, refuseForeignStore, startFollowing } from './start-following.js';
export { storedSignatureCheck } from './stored-signature-check.js';
export { SnapshotRejected, verifyAndBuild, verifyAndBuildSliced, verifySignedSnapshot, type VerifiedSnapshot } from './verify-snapshot.js';
export { Slicer, type SliceStats } from './slicer.js';
export { parseLabels, type CandidateFault, type RolloutIdentity } from './rollout-identity.js';
export { RolloutFollower, type RolloutFollowerOptions, type CandidateDirective, type ShadowReportPart } from './rollout-follower.js';
export { parseRegistryAddresses, registryAddresses } from './registry-addresses.js';
