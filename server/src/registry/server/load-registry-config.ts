import { resolve } from 'node:path';
import { ConfigError } from '../../runtime/config-error.js';
import { invalid, isOff, parseInteger, parseListen, parsePath, parseSocketPath, type RawSetting } from '../../runtime/config-fields.js';
import { formatAddress } from '../../sidecar/sidecar-config.js';
import { clientTlsConfig, serverTlsConfig, type ClientTlsConfig } from '../registry-credentials.js';
import type { RegistryConfig, UpstreamConfig } from './registry-config.js';

const setting = (field: string, flag: string, help: string) => ({ field, flag: `--${flag}`, env: `TPLUS_${flag.replace(/-/g, '_').toUpperCase()}`, help });

export const REGISTRY_SETTINGS = [
  setting('dataDir', 'data-dir', 'directory of the registry database (default ./registry-data)'),
  setting('listen', 'listen', 'gRPC address, HOST:PORT or unix:/path (default 127.0.0.1:50061)'),
  setting('signingKey', 'signing-key', 'ed25519 private key (PEM) from tplus keygen (required, except on a relay)'),
  setting('tokens', 'tokens', 'file of "ROLE TOKEN" lines, roles publish and read (required, except on a relay)'),
  setting('metricsListen', 'metrics-listen', 'Prometheus /metrics address, HOST:PORT or "off" (default 127.0.0.1:9465)'),
  setting('heartbeatMs', 'heartbeat-ms', 'Watch heartbeat interval in ms (default 5000)'),
  setting('upstream', 'upstream', 'relay mode: follow this registry, HOST:PORT or unix:/path; local publishes are refused'),
  setting('upstreamPublicKey', 'upstream-public-key', "the upstream's ed25519 public key (PEM); required with --upstream"),
  setting('upstreamTokenFile', 'upstream-token-file', 'file holding a read token for the upstream'),
  setting('tlsCert', 'tls-cert', 'serve TLS: certificate chain (PEM); needs --tls-key (default: plaintext)'),
  setting('tlsKey', 'tls-key', 'serve TLS: private key (PEM) of --tls-cert'),
  setting('tlsClientCa', 'tls-client-ca', 'mutual TLS: clients must present a certificate signed by this CA (PEM)'),
  setting('upstreamTlsCa', 'upstream-tls-ca', "relay: reach the upstream over TLS, trusting this CA (PEM)"),
  setting('upstreamTlsClientCert', 'upstream-tls-client-cert', 'relay: client certificate (PEM) for an upstream with mutual TLS'),
  setting('upstreamTlsClientKey', 'upstream-tls-client-key', 'relay: private key (PEM) of --upstream-tls-client-cert'),
  setting('drillPublishPauseMs', 'drill-publish-pause-ms', 'TESTS AND DRILLS ONLY: block N ms before each publish commits and again before it replies (default 0: off)'),
] as const;

export const REGISTRY_USAGE = [
  'usage: tplus registry --signing-key FILE --tokens FILE [--tls-cert FILE --tls-key FILE] [--flag value]...',
  '       tplus registry --upstream ADDR --upstream-public-key FILE [--tokens FILE] [--flag value]...   (relay)',
  '',
  'Runs the ruleset registry: immutable signed versions, audited publish/rollback, Watch for sidecars.',
  'A relay follows an upstream registry, stores its signed versions unchanged and serves them to its own sidecars.',
  '',
  ...REGISTRY_SETTINGS.map((x) => `  ${`${x.flag} (${x.env})`.padEnd(46)} ${x.help}`),
].join('\n');

function upstreamConfig(address: RawSetting, publicKey: RawSetting, tokenFile: RawSetting, tls: ClientTlsConfig | null, cwd: string): UpstreamConfig | null {
  const text = address.text.trim();
  if (text === '' || isOff(text)) {
    if (tls !== null) throw new ConfigError('upstreamTlsCa', '--upstream-tls-* settings need --upstream (or TPLUS_UPSTREAM)');
    return null;
  }
  if (text.startsWith('unix:')) {
    if (text.replace(/^unix:(\/\/)?/, '') === '') throw invalid(address, 'expected unix:/path');
  } else parseListen(address);
  if (publicKey.text.trim() === '') throw new ConfigError('upstreamPublicKey', '--upstream needs --upstream-public-key (or TPLUS_UPSTREAM_PUBLIC_KEY)');
  return Object.freeze({
    address: text,
    publicKeyFile: resolve(cwd, publicKey.text.trim()),
    tokenFile: tokenFile.text.trim() === '' ? null : resolve(cwd, tokenFile.text.trim()),
    ...(tls === null ? {} : { tls }),
    backoffMinMs: 100,
    backoffMaxMs: 5_000,
  });
}

export type LoadedRegistryConfig = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'config'; readonly config: RegistryConfig };

/** Flags win over TPLUS_* environment variables, which win over defaults. Throws ConfigError naming the field. */
export function loadRegistryConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): LoadedRegistryConfig {
  const byFlag = new Map<string, (typeof REGISTRY_SETTINGS)[number]>(REGISTRY_SETTINGS.map((x) => [x.flag, x]));
  const flags = new Map<string, RawSetting>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help', text: REGISTRY_USAGE };
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const s = byFlag.get(flag);
    if (s === undefined) throw new ConfigError(flag, arg.startsWith('-') ? `unknown flag ${flag} (see --help)` : `unexpected argument ${JSON.stringify(arg)}`);
    const text = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (text === undefined) throw new ConfigError(s.field, `${flag} needs a value`);
    flags.set(s.field, { field: s.field, origin: flag, text });
  }
  const raw = (i: number, fallback: string | null): RawSetting => {
    const s = REGISTRY_SETTINGS[i] as (typeof REGISTRY_SETTINGS)[number];
    const v = flags.get(s.field) ?? (env[s.env] === undefined ? undefined : { field: s.field, origin: s.env, text: env[s.env] as string });
    if (v) return v;
    if (fallback === null) throw new ConfigError(s.field, `missing ${s.flag} (or ${s.env})`);
    return { field: s.field, origin: 'default', text: fallback };
  };
  const listenRaw = raw(1, '127.0.0.1:50061');
  const listenText = listenRaw.text.trim();
  let listen: string;
  if (listenText.startsWith('unix:')) {
    const path = listenText.replace(/^unix:(\/\/)?/, '');
    if (path === '') throw invalid(listenRaw, 'expected unix:/path');
    listen = `unix:${parseSocketPath({ ...listenRaw, text: path }, resolve(cwd, path))}`;
  } else listen = formatAddress(parseListen(listenRaw));
  const metricsRaw = raw(4, '127.0.0.1:9465');
  const upstreamTls = clientTlsConfig({ ca: raw(12, '').text, cert: raw(13, '').text, key: raw(14, '').text }, '--upstream-', cwd);
  const upstream = upstreamConfig(raw(6, ''), raw(7, ''), raw(8, ''), upstreamTls, cwd);
  const tls = serverTlsConfig({ cert: raw(9, '').text, key: raw(10, '').text, clientCa: raw(11, '').text }, cwd);
  const optionalPath = (i: number): string | null => {
    const r = raw(i, '');
    return r.text.trim() === '' ? null : resolve(cwd, parsePath(r));
  };
  const signingKeyFile = upstream === null ? resolve(cwd, parsePath(raw(2, null))) : optionalPath(2);
  if (upstream !== null && signingKeyFile !== null) throw new ConfigError('signingKey', 'a relay (--upstream) never signs: drop --signing-key (or TPLUS_SIGNING_KEY)');
  const drillPublishPauseMs = parseInteger(raw(15, '0'), 0, 60_000);
  const config: RegistryConfig = Object.freeze({
    dataDir: resolve(cwd, parsePath(raw(0, './registry-data'))),
    listen,
    signingKeyFile,
    tokensFile: upstream === null ? resolve(cwd, parsePath(raw(3, null))) : optionalPath(3),
    metricsListen: isOff(metricsRaw.text) ? null : Object.freeze(parseListen(metricsRaw)),
    heartbeatMs: parseInteger(raw(5, '5000'), 50, 600_000),
    ...(tls === null ? {} : { tls }),
    ...(upstream === null ? {} : { upstream }),
    ...(drillPublishPauseMs === 0 ? {} : { drillPublishPauseMs }),
  });
  return { kind: 'config', config };
}
