import type { ClientTlsConfig } from '../registry/index.js';

/** How a sidecar follows a registry (`tplus serve --registry ADDR ...`). Paths are absolute. */
export interface FollowConfig {
  /** `host:port` or `unix:/path`. */
  readonly registry: string;
  /**
   * The registry's ed25519 public keys (PEM), one or more (`--registry-public-key` repeated while the
   * signing key rotates): every snapshot must verify with the one whose key id it carries.
   */
  readonly publicKeyFiles: readonly string[];
  /** A file holding the read token, or null when the registry's reads are open. */
  readonly tokenFile: string | null;
  /** TLS to the registry (`--registry-tls-ca` ...); absent = plaintext. */
  readonly tls?: ClientTlsConfig;
  /** With no local version, how long start-up waits for the first snapshot before failing. */
  readonly startTimeoutMs: number;
  /** Reconnect backoff bounds (exponential, with jitter). */
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
}
