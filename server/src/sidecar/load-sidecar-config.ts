import { resolve } from 'node:path';
import { requiredMessageBytes } from './request-size.js';
import { DEFAULT_LIMITS, type ServerLimits } from './server-limits.js';
import { ConfigError } from '../runtime/index.js';
import { invalid, isOff, parseInteger, parseListen, parsePath, parseSocketPath, type RawSetting } from '../runtime/index.js';
import { formatUsage } from '../runtime/index.js';
import { HELP, parseCommand } from '../runtime/index.js';
import { SERVE_SPEC } from './serve-flags.js';
import type { SidecarConfig } from './sidecar-config.js';
import { parseLabels, parseRegistryAddresses, type FollowConfig, type RolloutIdentity } from '../sync/index.js';
import { hostname } from 'node:os';
import { clientTlsConfig, type ClientTlsConfig } from '../registry/index.js';

/** The usage text of `tplus serve`, from its flag table. */
export const SERVE_USAGE = formatUsage(SERVE_SPEC);

const FIELDS = new Map(SERVE_SPEC.flags.map((f) => [f.name, f.field ?? f.name]));

export interface ConfigDefaults {
  /** Relative paths resolve against this directory. */
  readonly cwd: string;
  /** The bundled rule pack. */
  readonly rulesDir: string;
}

export type LoadedConfig = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'config'; readonly config: SidecarConfig };

/** `--registry` and its companions; null when not following. */
function followConfig(
  registry: RawSetting,
  publicKey: RawSetting,
  tokenFile: RawSetting,
  tls: ClientTlsConfig | null,
  startTimeoutMs: number,
  cwd: string,
): FollowConfig | null {
  if (isOff(registry.text)) {
    if (tls !== null) throw new ConfigError('registryTlsCa', '--registry-tls-* settings need --registry (or TPLUS_REGISTRY)');
    return null;
  }
  const address = parseRegistryAddresses(registry);
  if (publicKey.text.trim() === '')
    throw new ConfigError('registryPublicKey', `--registry needs --registry-public-key (or TPLUS_REGISTRY_PUBLIC_KEY)`);
  return Object.freeze({
    registry: address,
    publicKeyFiles: publicKey.text
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '')
      .map((f) => resolve(cwd, f)),
    tokenFile: tokenFile.text.trim() === '' ? null : resolve(cwd, tokenFile.text),
    ...(tls === null ? {} : { tls }),
    startTimeoutMs,
    backoffMinMs: 100,
    backoffMaxMs: 5_000,
  });
}

/** `--sidecar-id`, `--labels`, `--rollout-report-ms` and the test-only candidate fault. */
function rolloutIdentity(raw: (name: string) => RawSetting, reportMs: number, dataDir: string, drills: boolean): RolloutIdentity {
  const id = raw('sidecar-id').text.trim() || `${hostname()}:${dataDir}`;
  if (id.length > 200) throw invalid(raw('sidecar-id'), 'at most 200 characters');
  let labels: Readonly<Record<string, string>>;
  try {
    labels = parseLabels(raw('labels').text);
  } catch (e) {
    throw invalid(raw('labels'), (e as Error).message);
  }
  const fault = raw('drill-candidate-fault').text;
  if (fault !== 'none' && fault !== 'corrupt' && fault !== 'skew')
    throw invalid(raw('drill-candidate-fault'), 'expected none, corrupt or skew');
  if (fault !== 'none' && !drills) throw invalid(raw('drill-candidate-fault'), 'needs --allow-drills');
  return Object.freeze({ sidecarId: id, labels, reportMs, fault });
}

/**
 * Validates flags and environment (one table: serve-flags.ts) into a frozen SidecarConfig. Throws
 * ConfigError naming the bad field and where its value came from (`--listen` or `TPLUS_LISTEN`), and
 * UsageError for a malformed line (unknown flag, missing value, stray argument).
 */
export function loadSidecarConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: ConfigDefaults,
): LoadedConfig {
  const flags = parseCommand(SERVE_SPEC, argv, env);
  if (flags === HELP) return { kind: 'help', text: SERVE_USAGE };
  // The table gives every literal default; the rest (socket, rules, message size) are computed here.
  const raw = (name: string, fallback = ''): RawSetting =>
    flags.setting(name) ?? { field: FIELDS.get(name) ?? name, origin: 'default', text: fallback };
  const dataDirPath = resolve(defaults.cwd, parsePath(raw('data-dir')));
  const listenRaw = raw('listen');
  const socketRaw = raw('socket', resolve(dataDirPath, 'tplus.sock'));
  const metricsRaw = raw('metrics-listen');
  const int = (name: string, min: number, max: number, fallback = ''): number => parseInteger(raw(name, fallback), min, max);
  const maxBatchItems = int('max-batch-items', 1, 10_000_000);
  const maxColumnarItems = int('max-columnar-items', 1, 10_000_000);
  const limits: ServerLimits = Object.freeze({
    // Derived from the batch limits actually configured, so raising them raises it too.
    maxMessageBytes: int('max-message-bytes', 1024, 2 ** 31 - 1, String(requiredMessageBytes({ maxBatchItems, maxColumnarItems }))),
    maxBatchItems,
    maxColumnarItems,
    maxConcurrentStreams: int('max-concurrent-streams', 1, 1_000_000),
    keepaliveTimeMs: int('keepalive-time-ms', 1_000, 2 ** 31 - 1),
    keepaliveTimeoutMs: int('keepalive-timeout-ms', 1_000, 2 ** 31 - 1),
    maxWatchUnsentBytes: DEFAULT_LIMITS.maxWatchUnsentBytes,
  });
  const tls = clientTlsConfig(
    { ca: raw('registry-tls-ca').text, cert: raw('registry-tls-client-cert').text, key: raw('registry-tls-client-key').text },
    '--registry-',
    defaults.cwd,
  );
  const follow = followConfig(
    raw('registry'),
    raw('registry-public-key'),
    raw('registry-token-file'),
    tls,
    int('registry-start-timeout-ms', 0, 3_600_000),
    defaults.cwd,
  );
  const config: SidecarConfig = Object.freeze({
    dataDir: dataDirPath,
    listen: isOff(listenRaw.text) ? null : Object.freeze(parseListen(listenRaw)),
    socket: isOff(socketRaw.text) ? null : parseSocketPath(socketRaw, resolve(defaults.cwd, socketRaw.text)),
    metricsListen: isOff(metricsRaw.text) ? null : Object.freeze(parseListen(metricsRaw)),
    rulesDir: resolve(defaults.cwd, parsePath(raw('rules', defaults.rulesDir))),
    keepVersions: int('keep-versions', 1, 1_000),
    shutdownGraceMs: int('shutdown-grace-ms', 0, 600_000),
    limits,
    ...(follow === null ? {} : { follow }),
    ...(flags.on('allow-drills') ? { allowDrills: true as const } : {}),
    ...(follow === null
      ? {}
      : { rollout: rolloutIdentity(raw, int('rollout-report-ms', 100, 3_600_000), dataDirPath, flags.on('allow-drills')) }),
  });
  if (config.listen === null && config.socket === null) {
    throw invalid(listenRaw, 'listen and socket are both off; the sidecar needs at least one of them');
  }
  return { kind: 'config', config };
}
