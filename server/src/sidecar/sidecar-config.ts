import type { ServerLimits } from './server-limits.js';
import type { FollowConfig, RolloutIdentity } from '../sync/index.js';

import type { ListenAddress } from '../runtime/index.js';

export { formatAddress, type ListenAddress } from '../runtime/index.js';

/** A validated, frozen sidecar configuration. Paths are absolute; null = that listener is off. */
export interface SidecarConfig {
  readonly dataDir: string;
  /** TCP listener, e.g. 127.0.0.1:50051. */
  readonly listen: ListenAddress | null;
  /** Unix socket path. */
  readonly socket: string | null;
  /** Prometheus /metrics HTTP listener. */
  readonly metricsListen: ListenAddress | null;
  /** The bundled rule pack used to seed an empty store. */
  readonly rulesDir: string;
  /** Ruleset versions kept locally for ruleset_version-pinned requests. */
  readonly keepVersions: number;
  /** How long shutdown waits for in-flight calls before cancelling them. */
  readonly shutdownGraceMs: number;
  readonly limits: ServerLimits;
  /** Follow a registry instead of seeding from the bundled pack (`--registry`). */
  readonly follow?: FollowConfig;
  /** Staged rollout: who this sidecar is and how it reports (only when following a registry). */
  readonly rollout?: RolloutIdentity;
  /** Accept DrillService fault injection (`--allow-drills`); absent = never. */
  readonly allowDrills?: true;
}
