import type { CommandSpec, FlagDef } from '../runtime/index.js';
import { tplusEnv } from '../runtime/index.js';
import { DEFAULT_LIMITS } from './server-limits.js';

type Extra = Omit<FlagDef, 'name' | 'type' | 'help' | 'env' | 'field'>;

/** A `tplus serve` setting: flag `--NAME`, variable `TPLUS_NAME`, filling config field `field`. */
const s = (field: string, name: string, value: string, help: string, extra: Extra = {}): FlagDef => ({
  name,
  type: 'string',
  value,
  help,
  env: tplusEnv(name),
  field,
  ...extra,
});

/** `tplus serve`: every setting of the sidecar, its flag, its variable and its default. */
export const SERVE_SPEC: CommandSpec = {
  name: 'serve',
  synopsis: ['[--flag value]...'],
  about:
    'Runs the settlement sidecar: gRPC on a Unix socket and/or loopback, /metrics over HTTP.\nA flag wins over its TPLUS_* variable, which wins over the default.',
  flags: [
    s('listen', 'listen', 'HOST:PORT|off', 'TCP address', { default: '127.0.0.1:50051' }),
    s('socket', 'socket', 'PATH|off', 'Unix socket path', { defaultNote: 'DATA_DIR/tplus.sock' }),
    s('metricsListen', 'metrics-listen', 'HOST:PORT|off', 'Prometheus /metrics address', { default: '127.0.0.1:9464' }),
    s('dataDir', 'data-dir', 'DIR', 'directory of the local SQLite copy', { default: './data' }),
    s('rulesDir', 'rules', 'DIR', 'rule pack that seeds an empty store', { defaultNote: 'the bundled pack' }),
    s('keepVersions', 'keep-versions', 'N', 'ruleset versions kept locally', { default: '5' }),
    s('shutdownGraceMs', 'shutdown-grace-ms', 'MS', 'drain time for in-flight calls on shutdown', { default: '10000' }),
    s('maxMessageBytes', 'max-message-bytes', 'N', 'largest gRPC request', {
      defaultNote: `what the largest legal batch needs, ${DEFAULT_LIMITS.maxMessageBytes} with the default batch limits`,
    }),
    s('maxBatchItems', 'max-batch-items', 'N', 'items per BatchGetSettlementDates', { default: String(DEFAULT_LIMITS.maxBatchItems) }),
    s('maxColumnarItems', 'max-columnar-items', 'N', 'items per columnar batch', { default: String(DEFAULT_LIMITS.maxColumnarItems) }),
    s('maxConcurrentStreams', 'max-concurrent-streams', 'N', 'concurrent calls per connection', {
      default: String(DEFAULT_LIMITS.maxConcurrentStreams),
    }),
    s('keepaliveTimeMs', 'keepalive-time-ms', 'MS', 'keepalive ping interval', { default: String(DEFAULT_LIMITS.keepaliveTimeMs) }),
    s('keepaliveTimeoutMs', 'keepalive-timeout-ms', 'MS', 'keepalive ping timeout', { default: String(DEFAULT_LIMITS.keepaliveTimeoutMs) }),
    s('registry', 'registry', 'ADDR', 'follow this registry, HOST:PORT or unix:/path', {
      default: 'off',
      defaultNote: 'off: serve the bundled pack',
    }),
    s(
      'registryPublicKey',
      'registry-public-key',
      'FILE',
      "the registry's ed25519 public key (PEM); required with --registry. Repeat it (or list FILE,FILE in the variable) to trust several keys while the signing key rotates",
      { default: '', repeatable: true },
    ),
    s('registryTokenFile', 'registry-token-file', 'FILE', 'file holding a read token for the registry', { default: '' }),
    s('registryStartTimeoutMs', 'registry-start-timeout-ms', 'MS', 'with no local version, how long start-up waits for the registry', {
      default: '30000',
    }),
    s('registryTlsCa', 'registry-tls-ca', 'FILE', 'reach the registry over TLS, trusting this CA (PEM)', {
      default: '',
      defaultNote: 'plaintext',
    }),
    s('registryTlsClientCert', 'registry-tls-client-cert', 'FILE', 'client certificate (PEM) for a registry with mutual TLS', {
      default: '',
    }),
    s('registryTlsClientKey', 'registry-tls-client-key', 'FILE', 'private key (PEM) of --registry-tls-client-cert', { default: '' }),
    s('sidecarId', 'sidecar-id', 'ID', 'this sidecar in the fleet view and rollouts (stable across restarts)', {
      defaultNote: 'HOSTNAME:DATA_DIR',
    }),
    s('labels', 'labels', 'K=V,...', 'labels a rollout selects on (e.g. site=ny,role=canary)', { default: '' }),
    s('rolloutReportMs', 'rollout-report-ms', 'MS', 'how often state and shadow counts are reported to the registry', { default: '5000' }),
    s(
      'drillCandidateFault',
      'drill-candidate-fault',
      'none|corrupt|skew',
      'tests only, needs --allow-drills: corrupt every candidate received, or build it skewed',
      {
        default: 'none',
      },
    ),
    {
      name: 'allow-drills',
      type: 'boolean',
      env: 'TPLUS_ALLOW_DRILLS',
      field: 'allowDrills',
      default: 'false',
      help: 'accept drill fault injection (DrillService), for `tplus drill` only; or =true / =false',
    },
  ],
};
