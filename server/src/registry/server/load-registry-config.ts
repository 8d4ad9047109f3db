import { resolve } from 'node:path';
import { ConfigError } from '../../runtime/index.js';
import {
  invalid,
  isOff,
  parseDuration,
  parseInteger,
  parseListen,
  parsePath,
  parseSocketPath,
  type RawSetting,
} from '../../runtime/index.js';
import { formatAddress } from '../../sidecar/index.js';
import { formatUsage } from '../../runtime/index.js';
import { HELP, parseCommand } from '../../runtime/index.js';
import { REGISTRY_SPEC } from './registry-flags.js';
import { clientTlsConfig, serverTlsConfig, type ClientTlsConfig } from '../index.js';
import type { RegistryConfig, UpstreamConfig } from './registry-config.js';
import { etcdStoreConfig } from './etcd-store-config.js';
import { parseRegistryAddresses } from '../../sync/index.js';

/** The usage text of `tplus registry`, from its flag table. */
export const REGISTRY_USAGE = formatUsage(REGISTRY_SPEC);

function upstreamConfig(
  address: RawSetting,
  publicKey: RawSetting,
  tokenFile: RawSetting,
  tls: ClientTlsConfig | null,
  cwd: string,
): UpstreamConfig | null {
  const text = address.text.trim();
  if (text === '' || isOff(text)) {
    if (tls !== null) throw new ConfigError('upstreamTlsCa', '--upstream-tls-* settings need --upstream (or TPLUS_UPSTREAM)');
    return null;
  }
  parseRegistryAddresses(address);
  if (publicKey.text.trim() === '')
    throw new ConfigError('upstreamPublicKey', '--upstream needs --upstream-public-key (or TPLUS_UPSTREAM_PUBLIC_KEY)');
  return Object.freeze({
    address: parseRegistryAddresses(address),
    publicKeyFile: resolve(cwd, publicKey.text.trim()),
    tokenFile: tokenFile.text.trim() === '' ? null : resolve(cwd, tokenFile.text.trim()),
    ...(tls === null ? {} : { tls }),
    backoffMinMs: 100,
    backoffMaxMs: 5_000,
  });
}

export type LoadedRegistryConfig =
  { readonly kind: 'help'; readonly text: string } | { readonly kind: 'config'; readonly config: RegistryConfig };

/**
 * Flags win over TPLUS_* environment variables, which win over defaults (one table: registry-flags.ts).
 * Throws ConfigError naming the field and its source, UsageError for a malformed line.
 */
export function loadRegistryConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): LoadedRegistryConfig {
  const flags = parseCommand(REGISTRY_SPEC, argv, env);
  if (flags === HELP) return { kind: 'help', text: REGISTRY_USAGE };
  // Every setting has a default in the table ('' for "not set"), so each one is present here.
  const raw = (name: string, required = false): RawSetting => {
    const v = flags.setting(name) as RawSetting;
    if (required && v.text.trim() === '' && v.origin === 'default') {
      const def = REGISTRY_SPEC.flags.find((f) => f.name === name);
      throw new ConfigError(v.field, `missing --${name} (or ${def?.env ?? ''})`);
    }
    return v;
  };
  const listenRaw = raw('listen');
  const listenText = listenRaw.text.trim();
  let listen: string;
  if (listenText.startsWith('unix:')) {
    const path = listenText.replace(/^unix:(\/\/)?/, '');
    if (path === '') throw invalid(listenRaw, 'expected unix:/path');
    listen = `unix:${parseSocketPath({ ...listenRaw, text: path }, resolve(cwd, path))}`;
  } else listen = formatAddress(parseListen(listenRaw));
  const metricsRaw = raw('metrics-listen');
  const upstreamTls = clientTlsConfig(
    { ca: raw('upstream-tls-ca').text, cert: raw('upstream-tls-client-cert').text, key: raw('upstream-tls-client-key').text },
    '--upstream-',
    cwd,
  );
  const upstream = upstreamConfig(raw('upstream'), raw('upstream-public-key'), raw('upstream-token-file'), upstreamTls, cwd);
  const tls = serverTlsConfig({ cert: raw('tls-cert').text, key: raw('tls-key').text, clientCa: raw('tls-client-ca').text }, cwd);
  const optionalPath = (name: string): string | null => {
    const r = raw(name);
    return r.text.trim() === '' ? null : resolve(cwd, parsePath(r));
  };
  const signingKeyFile = upstream === null ? resolve(cwd, parsePath(raw('signing-key', true))) : optionalPath('signing-key');
  if (upstream !== null && signingKeyFile !== null)
    throw new ConfigError('signingKey', 'a relay (--upstream) never signs: drop --signing-key (or TPLUS_SIGNING_KEY)');
  const drillPublishPauseMs = parseInteger(raw('drill-publish-pause-ms'), 0, 60_000);
  const requireApproval = raw('require-approval').text === 'true';
  if (requireApproval && upstream !== null)
    throw new ConfigError('requireApproval', 'a relay (--upstream) publishes nothing: --require-approval belongs on the root registry');
  const approvalTtlMs = parseDuration(raw('approval-ttl'), 1_000, 30 * 86_400_000);
  const etcd = etcdStoreConfig(raw, upstream !== null, cwd);
  const config: RegistryConfig = Object.freeze({
    dataDir: resolve(cwd, parsePath(raw('data-dir'))),
    listen,
    signingKeyFile,
    tokensFile: upstream === null ? resolve(cwd, parsePath(raw('tokens', true))) : optionalPath('tokens'),
    trustedPublicKeyFiles: raw('trusted-public-key')
      .text.split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '')
      .map((f) => resolve(cwd, f)),
    metricsListen: isOff(metricsRaw.text) ? null : Object.freeze(parseListen(metricsRaw)),
    heartbeatMs: parseInteger(raw('heartbeat-ms'), 50, 600_000),
    ...(tls === null ? {} : { tls }),
    ...(upstream === null ? {} : { upstream }),
    ...(etcd === null ? {} : { etcd }),
    ...(drillPublishPauseMs === 0 ? {} : { drillPublishPauseMs }),
    ...(requireApproval ? { approvalTtlMs } : {}),
  });
  return { kind: 'config', config };
}
