import type { CommandSpec, FlagDef } from '../../runtime/index.js';
import { tplusEnv } from '../../runtime/index.js';

type Extra = Partial<Pick<FlagDef, 'type'>> & Omit<FlagDef, 'name' | 'type' | 'help' | 'env' | 'field'>;

/** A `tplus registry` setting: flag `--NAME`, variable `TPLUS_NAME`, filling config field `field`. */
const s = (field: string, name: string, value: string, help: string, extra: Extra = {}): FlagDef => ({
  name,
  type: 'string',
  ...(value === '' ? {} : { value }),
  help,
  env: tplusEnv(name),
  field,
  default: '',
  ...extra,
});

/** `tplus registry`: every setting of the registry (and relay), its flag, its variable and its default. */
export const REGISTRY_SPEC: CommandSpec = {
  name: 'registry',
  synopsis: [
    '--signing-key FILE --tokens FILE [--tls-cert FILE --tls-key FILE] [--flag value]...',
    '--upstream ADDR --upstream-public-key FILE [--tokens FILE] [--flag value]...   (relay)',
  ],
  about: [
    'Runs the ruleset registry: immutable signed versions, audited publish/rollback, Watch for sidecars.',
    'A relay follows an upstream registry, stores its signed versions unchanged and serves them to its own sidecars.',
    'A flag wins over its TPLUS_* variable, which wins over the default.',
  ].join('\n'),
  flags: [
    s('dataDir', 'data-dir', 'DIR', 'directory of the registry database', { default: './registry-data' }),
    s('listen', 'listen', 'ADDR', 'gRPC address, HOST:PORT or unix:/path', { default: '127.0.0.1:50061' }),
    s('signingKey', 'signing-key', 'FILE', 'ed25519 private key (PEM) from tplus keygen (required, except on a relay)'),
    s('tokens', 'tokens', 'FILE', 'file of "ROLE NAME TOKEN" lines, roles publish, approve, read (required, except on a relay)'),
    s('metricsListen', 'metrics-listen', 'HOST:PORT|off', 'Prometheus /metrics address', { default: '127.0.0.1:9465' }),
    s('heartbeatMs', 'heartbeat-ms', 'MS', 'Watch heartbeat interval', { default: '5000' }),
    s('upstream', 'upstream', 'ADDR', 'relay mode: follow this registry, HOST:PORT or unix:/path; local publishes are refused'),
    s('upstreamPublicKey', 'upstream-public-key', 'FILE', "the upstream's ed25519 public key (PEM); required with --upstream"),
    s('upstreamTokenFile', 'upstream-token-file', 'FILE', 'file holding a read token for the upstream'),
    s('tlsCert', 'tls-cert', 'FILE', 'serve TLS: certificate chain (PEM); needs --tls-key', { defaultNote: 'plaintext' }),
    s('tlsKey', 'tls-key', 'FILE', 'serve TLS: private key (PEM) of --tls-cert'),
    s('tlsClientCa', 'tls-client-ca', 'FILE', 'mutual TLS: clients must present a certificate signed by this CA (PEM)'),
    s('upstreamTlsCa', 'upstream-tls-ca', 'FILE', 'relay: reach the upstream over TLS, trusting this CA (PEM)'),
    s('upstreamTlsClientCert', 'upstream-tls-client-cert', 'FILE', 'relay: client certificate (PEM) for an upstream with mutual TLS'),
    s('upstreamTlsClientKey', 'upstream-tls-client-key', 'FILE', 'relay: private key (PEM) of --upstream-tls-client-cert'),
    s('store', 'store', 'sqlite|etcd', 'where versions and audit live: sqlite (in --data-dir, one registry) or etcd (shared by replicas)', {
      default: 'sqlite',
    }),
    s(
      'etcdEndpoints',
      'etcd-endpoints',
      'URL[,URL...]',
      'with --store etcd: the etcd members, e.g. http://10.0.0.1:2379,http://10.0.0.2:2379',
    ),
    s('etcdPrefix', 'etcd-prefix', 'PREFIX', 'with --store etcd: the key prefix every registry key lives under', {
      default: '/tplus/registry/',
    }),
    s('etcdTlsCa', 'etcd-tls-ca', 'FILE', 'with --store etcd: reach etcd over TLS, trusting this CA (PEM)', { defaultNote: 'plaintext' }),
    s('etcdCert', 'etcd-cert', 'FILE', 'with --store etcd: client certificate (PEM) for etcd with client-cert auth; needs --etcd-key'),
    s('etcdKey', 'etcd-key', 'FILE', 'with --store etcd: private key (PEM) of --etcd-cert'),
    s('etcdUser', 'etcd-user', 'NAME', 'with --store etcd: etcd user (etcd auth); needs --etcd-password-file'),
    s('etcdPasswordFile', 'etcd-password-file', 'FILE', 'with --store etcd: file holding the password of --etcd-user'),
    s('etcdTimeoutMs', 'etcd-timeout-ms', 'MS', 'with --store etcd: deadline of each etcd request, then UNAVAILABLE', {
      default: '5000',
    }),
    s(
      'trustedPublicKey',
      'trusted-public-key',
      'FILE',
      'after a key rotation: an earlier signing key (PEM public key) whose versions stay valid; repeatable',
      {
        repeatable: true,
      },
    ),
    s('requireApproval', 'require-approval', '', 'four-eyes: a publish waits until another identity with the approve role approves it', {
      type: 'boolean',
      default: 'false',
    }),
    s('approvalTtl', 'approval-ttl', 'DURATION', 'with --require-approval: a pending version expires after this (e.g. 90m, 24h, 7d)', {
      default: '24h',
    }),
    s(
      'drillPublishPauseMs',
      'drill-publish-pause-ms',
      'MS',
      'TESTS AND DRILLS ONLY: block N ms before each publish commits and again before it replies',
      { default: '0', defaultNote: '0: off' },
    ),
  ],
};
