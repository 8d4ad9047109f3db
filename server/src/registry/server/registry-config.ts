import type { ListenAddress } from '../../sidecar/index.js';
import type { ClientTlsConfig, ServerTlsConfig } from '../index.js';

/** What a relay follows (`tplus registry --upstream ADDR ...`). Paths are absolute. */
export interface UpstreamConfig {
  /** `host:port` or `unix:/path` of the registry this one relays. */
  readonly address: string;
  /** The upstream's ed25519 public key (PEM): every version must verify against it before it is stored. */
  readonly publicKeyFile: string;
  /** A file holding a read token for the upstream, or null when its reads are open. */
  readonly tokenFile: string | null;
  /** TLS to the upstream (`--upstream-tls-ca` ...); absent = plaintext. */
  readonly tls?: ClientTlsConfig;
  /** Reconnect backoff bounds (exponential, with jitter). */
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
}

/** Where an etcd-backed registry keeps its versions (`--store etcd --etcd-endpoints ...`). Paths are absolute. */
export interface EtcdStoreConfig {
  /** `http://host:port` or `https://host:port`, at least one. */
  readonly endpoints: readonly string[];
  /** Every key lives under it (etcd-keys.ts). */
  readonly prefix: string;
  /** TLS to etcd: the CA that signed the members' certificates; null = plaintext. */
  readonly tlsCaFile: string | null;
  /** Client certificate and key, for members that require them. */
  readonly certFile: string | null;
  readonly keyFile: string | null;
  /** etcd user (with `passwordFile`), or null when etcd auth is off. */
  readonly user: string | null;
  readonly passwordFile: string | null;
  /** Deadline of each etcd request; past it the call fails UNAVAILABLE. */
  readonly requestTimeoutMs: number;
}

/** A validated, frozen registry configuration; paths are absolute. */
export interface RegistryConfig {
  readonly dataDir: string;
  /** `host:port` or `unix:/abs/path`. */
  readonly listen: string;
  /** The signing key; null on a relay (a relay never signs: it stores its upstream's signed versions unchanged). */
  readonly signingKeyFile: string | null;
  /** `ROLE TOKEN` lines; null on a relay without one (its reads are then open). */
  readonly tokensFile: string | null;
  readonly metricsListen: ListenAddress | null;
  /**
   * Earlier signing keys' public halves (`--trusted-public-key`, repeatable): versions they signed still
   * verify here after the signing key rotated. The current key is always trusted.
   */
  readonly trustedPublicKeyFiles?: readonly string[];
  /** Interval of Watch heartbeats. */
  readonly heartbeatMs: number;
  /** TLS of the listener (`--tls-cert`, `--tls-key`, `--tls-client-ca`); absent = plaintext. */
  readonly tls?: ServerTlsConfig;
  /** Relay mode: follow this registry and refuse local Publish/Rollback. */
  readonly upstream?: UpstreamConfig;
  /**
   * Four-eyes publishing (`--require-approval`): a publish or rollback waits as a pending version until
   * another identity with the approve role approves it; pending versions expire after this many ms
   * (`--approval-ttl`). Absent: publishes go live at once.
   */
  readonly approvalTtlMs?: number;
  /** The store: absent = SQLite in `dataDir`; present = etcd (several registries may share it). */
  readonly etcd?: EtcdStoreConfig;
  /** Test/drill only (`--drill-publish-pause-ms`): hold every publish this long before its commit and again before its reply. */
  readonly drillPublishPauseMs?: number;
}
