import { resolve } from 'node:path';
import { requiredMessageBytes } from './request-size.js';
import { DEFAULT_LIMITS, type ServerLimits } from './server-limits.js';
import { ConfigError } from '../runtime/config-error.js';
import { invalid, isOff, parseInteger, parseListen, parsePath, parseSocketPath, type RawSetting } from '../runtime/config-fields.js';
import type { SidecarConfig } from './sidecar-config.js';
import type { FollowConfig } from '../sync/follow-config.js';
import { clientTlsConfig, type ClientTlsConfig } from '../registry/registry-credentials.js';

interface Setting {
  readonly field: string;
  readonly flag: string;
  readonly env: string;
  readonly help: string;
}

const s = (field: string, flag: string, help: string): Setting => ({
  field,
  flag: `--${flag}`,
  env: `TPLUS_${flag.replace(/-/g, '_').toUpperCase()}`,
  help,
});

/** Every setting, its flag and its environment variable (flag wins over env, env over default). */
export const SETTINGS = [
  s('listen', 'listen', 'TCP address, HOST:PORT or "off" (default 127.0.0.1:50051)'),
  s('socket', 'socket', 'Unix socket path or "off" (default DATA_DIR/tplus.sock)'),
  s('metricsListen', 'metrics-listen', 'Prometheus /metrics address, HOST:PORT or "off" (default 127.0.0.1:9464)'),
  s('dataDir', 'data-dir', 'directory of the local SQLite copy (default ./data)'),
  s('rulesDir', 'rules', 'rule pack that seeds an empty store (default: the bundled pack)'),
  s('keepVersions', 'keep-versions', 'ruleset versions kept locally (default 5)'),
  s('shutdownGraceMs', 'shutdown-grace-ms', 'drain time for in-flight calls on shutdown (default 10000)'),
  s('maxMessageBytes', 'max-message-bytes', `largest gRPC request (default: what the largest legal batch needs, ${DEFAULT_LIMITS.maxMessageBytes} with the default batch limits)`),
  s('maxBatchItems', 'max-batch-items', `items per BatchGetSettlementDates (default ${DEFAULT_LIMITS.maxBatchItems})`),
  s('maxColumnarItems', 'max-columnar-items', `items per columnar batch (default ${DEFAULT_LIMITS.maxColumnarItems})`),
  s('maxConcurrentStreams', 'max-concurrent-streams', `concurrent calls per connection (default ${DEFAULT_LIMITS.maxConcurrentStreams})`),
  s('keepaliveTimeMs', 'keepalive-time-ms', `keepalive ping interval (default ${DEFAULT_LIMITS.keepaliveTimeMs})`),
  s('keepaliveTimeoutMs', 'keepalive-timeout-ms', `keepalive ping timeout (default ${DEFAULT_LIMITS.keepaliveTimeoutMs})`),
  s('registry', 'registry', 'follow this registry, HOST:PORT or unix:/path (default: off, serve the bundled pack)'),
  s('registryPublicKey', 'registry-public-key', "the registry's ed25519 public key (PEM); required with --registry"),
  s('registryTokenFile', 'registry-token-file', 'file holding a read token for the registry'),
  s('registryStartTimeoutMs', 'registry-start-timeout-ms', 'with no local version, how long start-up waits for the registry (default 30000)'),
  s('registryTlsCa', 'registry-tls-ca', 'reach the registry over TLS, trusting this CA (PEM) (default: plaintext)'),
  s('registryTlsClientCert', 'registry-tls-client-cert', 'client certificate (PEM) for a registry with mutual TLS'),
  s('registryTlsClientKey', 'registry-tls-client-key', 'private key (PEM) of --registry-tls-client-cert'),
  s('allowDrills', 'allow-drills', 'accept drill fault injection (DrillService), for `tplus drill` only; a flag without value, or true/false (default false)'),
] as const;

export const SERVE_USAGE = [
  'usage: tplus serve [--flag value]...',
  '',
  'Runs the settlement sidecar: gRPC on a Unix socket and/or loopback, /metrics over HTTP.',
  '',
  ...SETTINGS.map((x) => `  ${`${x.flag} (${x.env})`.padEnd(50)} ${x.help}`),
  '  --help'.padEnd(52) + ' this text',
].join('\n');

export interface ConfigDefaults {
  /** Relative paths resolve against this directory. */
  readonly cwd: string;
  /** The bundled rule pack. */
  readonly rulesDir: string;
}

export type LoadedConfig = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'config'; readonly config: SidecarConfig };

/** Collects `--flag value` / `--flag=value` pairs; unknown flags and stray arguments are errors. */
function parseArgv(argv: readonly string[]): Map<string, RawSetting> | 'help' {
  const byFlag = new Map<string, Setting>(SETTINGS.map((x) => [x.flag, x]));
  const out = new Map<string, RawSetting>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const setting = byFlag.get(flag);
    if (setting === undefined) {
      throw new ConfigError(flag, arg.startsWith('-') ? `unknown flag ${flag} (see --help)` : `unexpected argument ${JSON.stringify(arg)}`);
    }
    // --allow-drills is the one flag without a value (--allow-drills=false is accepted too).
    const text = eq > 0 ? arg.slice(eq + 1) : setting.field === 'allowDrills' ? 'true' : argv[++i];
    if (text === undefined) throw new ConfigError(setting.field, `${flag} needs a value`);
    out.set(setting.field, { field: setting.field, origin: flag, text });
  }
  return out;
}

/** `--registry` and its companions; null when not following. */
function followConfig(registry: RawSetting, publicKey: RawSetting, tokenFile: RawSetting, tls: ClientTlsConfig | null, startTimeoutMs: number, cwd: string): FollowConfig | null {
  if (isOff(registry.text)) {
    if (tls !== null) throw new ConfigError('registryTlsCa', '--registry-tls-* settings need --registry (or TPLUS_REGISTRY)');
    return null;
  }
  const address = registry.text.trim();
  if (address.startsWith('unix:')) {
    if (address.replace(/^unix:(\/\/)?/, '') === '') throw invalid(registry, 'expected unix:/path');
  } else parseListen(registry);
  if (publicKey.text.trim() === '') throw new ConfigError('registryPublicKey', `--registry needs --registry-public-key (or TPLUS_REGISTRY_PUBLIC_KEY)`);
  return Object.freeze({
    registry: address,
    publicKeyFile: resolve(cwd, publicKey.text),
    tokenFile: tokenFile.text.trim() === '' ? null : resolve(cwd, tokenFile.text),
    ...(tls === null ? {} : { tls }),
    startTimeoutMs,
    backoffMinMs: 100,
    backoffMaxMs: 5_000,
  });
}

function parseBoolean(x: RawSetting): boolean {
  const text = x.text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off', ''].includes(text)) return false;
  throw invalid(x, 'expected true or false');
}

/**
 * Validates flags and environment into a frozen SidecarConfig. Throws ConfigError naming the bad
 * field and where its value came from.
 */
export function loadSidecarConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, defaults: ConfigDefaults): LoadedConfig {
  const flags = parseArgv(argv);
  if (flags === 'help') return { kind: 'help', text: SERVE_USAGE };
  const raw = (x: Setting, fallback: string): RawSetting => {
    const fromFlag = flags.get(x.field);
    if (fromFlag) return fromFlag;
    const fromEnv = env[x.env];
    return fromEnv === undefined ? { field: x.field, origin: 'default', text: fallback } : { field: x.field, origin: x.env, text: fromEnv };
  };
  const [listen, socket, metricsListen, dataDir, rulesDir, keep, grace, msg, batch, columnar, streams, kaTime, kaTimeout, registry, publicKey, tokenFile, startTimeout, tlsCa, tlsCert, tlsKey, drills] =
    SETTINGS;
  const dataDirPath = resolve(defaults.cwd, parsePath(raw(dataDir, './data')));
  const listenRaw = raw(listen, '127.0.0.1:50051');
  const socketRaw = raw(socket, resolve(dataDirPath, 'tplus.sock'));
  const metricsRaw = raw(metricsListen, '127.0.0.1:9464');
  const int = (x: Setting, fallback: number, min: number, max: number): number => parseInteger(raw(x, String(fallback)), min, max);
  const maxBatchItems = int(batch, DEFAULT_LIMITS.maxBatchItems, 1, 10_000_000);
  const maxColumnarItems = int(columnar, DEFAULT_LIMITS.maxColumnarItems, 1, 10_000_000);
  const limits: ServerLimits = Object.freeze({
    // Derived from the batch limits actually configured, so raising them raises it too.
    maxMessageBytes: int(msg, requiredMessageBytes({ maxBatchItems, maxColumnarItems }), 1024, 2 ** 31 - 1),
    maxBatchItems,
    maxColumnarItems,
    maxConcurrentStreams: int(streams, DEFAULT_LIMITS.maxConcurrentStreams, 1, 1_000_000),
    keepaliveTimeMs: int(kaTime, DEFAULT_LIMITS.keepaliveTimeMs, 1_000, 2 ** 31 - 1),
    keepaliveTimeoutMs: int(kaTimeout, DEFAULT_LIMITS.keepaliveTimeoutMs, 1_000, 2 ** 31 - 1),
    maxWatchUnsentBytes: DEFAULT_LIMITS.maxWatchUnsentBytes,
  });
  const tls = clientTlsConfig({ ca: raw(tlsCa, '').text, cert: raw(tlsCert, '').text, key: raw(tlsKey, '').text }, '--registry-', defaults.cwd);
  const follow = followConfig(raw(registry, 'off'), raw(publicKey, ''), raw(tokenFile, ''), tls, int(startTimeout, 30_000, 0, 3_600_000), defaults.cwd);
  const config: SidecarConfig = Object.freeze({
    dataDir: dataDirPath,
    listen: isOff(listenRaw.text) ? null : Object.freeze(parseListen(listenRaw)),
    socket: isOff(socketRaw.text) ? null : parseSocketPath(socketRaw, resolve(defaults.cwd, socketRaw.text)),
    metricsListen: isOff(metricsRaw.text) ? null : Object.freeze(parseListen(metricsRaw)),
    rulesDir: resolve(defaults.cwd, parsePath(raw(rulesDir, defaults.rulesDir))),
    keepVersions: int(keep, 5, 1, 1_000),
    shutdownGraceMs: int(grace, 10_000, 0, 600_000),
    limits,
    ...(follow === null ? {} : { follow }),
    ...(parseBoolean(raw(drills, 'false')) ? { allowDrills: true as const } : {}),
  });
  if (config.listen === null && config.socket === null) {
    throw invalid(listenRaw, 'listen and socket are both off; the sidecar needs at least one of them');
  }
  return { kind: 'config', config };
}
