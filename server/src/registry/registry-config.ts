import type { ListenAddress } from '../sidecar/sidecar-config.js';

/** A validated, frozen registry configuration; paths are absolute. */
export interface RegistryConfig {
  readonly dataDir: string;
  /** `host:port` or `unix:/abs/path`. */
  readonly listen: string;
  readonly signingKeyFile: string;
  readonly tokensFile: string;
  readonly metricsListen: ListenAddress | null;
  /** Interval of Watch heartbeats. */
  readonly heartbeatMs: number;
}
