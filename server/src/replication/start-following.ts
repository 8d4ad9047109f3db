import { readFileSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { readPublicKey } from '../registry/signing-keys.js';
import type { Logger } from '../sidecar/json-logger.js';
import type { RulesetStore } from '../store/ruleset-store.js';
import { Backoff } from './backoff.js';
import type { FollowConfig } from './follow-config.js';
import { Follower } from './follower.js';
import { ReplicationMetrics } from './replication-metrics.js';
import type { VerifiedSnapshot } from './verify-snapshot.js';

export interface FollowDeps {
  readonly store: RulesetStore;
  readonly log: Logger;
  readonly registry: Registry;
  readonly now: () => Date;
  /** Stores the verified version and swaps in its (already built) ruleset. */
  readonly install: (verified: VerifiedSnapshot) => void;
}

/** The `source` of versions that came from a registry. */
export const registrySource = (address: string): string => `registry:${address}`;

/** First line of a token file, trimmed; the token itself is never logged. */
export function readToken(file: string): string {
  const token = readFileSync(file, 'utf8').split(/\r?\n/)[0]?.trim() ?? '';
  if (token === '') throw new Error(`${file} holds no token on its first line`);
  return token;
}

/**
 * Starts following the registry. With a local version it returns at once (the sidecar serves it
 * while the registry is down); with none it waits for the first verified snapshot, bounded by
 * `startTimeoutMs`. Readiness rests on this: the sidecar binds its sockets and reports SERVING only
 * after it has loaded a ruleset, so a follower that never loaded one never answers SERVING (it exits
 * 1 when the timeout passes); one that has loaded one stays SERVING while the registry is away. A store holding versions from anywhere else is refused (version numbers would clash).
 */
export async function startFollowing(config: FollowConfig, deps: FollowDeps): Promise<Follower> {
  const publicKey = readPublicKey(config.publicKeyFile);
  const token = config.tokenFile === null ? null : readToken(config.tokenFile);
  const foreign = deps.store.rows().find((r) => !r.source.startsWith('registry:'));
  if (foreign) {
    throw new Error(`${deps.store.file} holds version ${foreign.version} from ${JSON.stringify(foreign.source)}; a sidecar following a registry needs a data dir of its own`);
  }
  const metrics = new ReplicationMetrics(deps.registry, deps.now, deps.now());
  const follower = new Follower({
    address: config.registry,
    token,
    ...(config.tls ? { tls: config.tls } : {}),
    publicKey,
    source: registrySource(config.registry),
    localVersion: () => deps.store.activeVersion() ?? 0,
    install: deps.install,
    log: deps.log,
    metrics,
    now: deps.now,
    backoff: new Backoff(config.backoffMinMs, config.backoffMaxMs),
  });
  follower.start();
  const local = deps.store.activeVersion();
  deps.log.info('following_registry', { registry: config.registry, localVersion: local, authenticated: token !== null, tls: config.tls !== undefined });
  if (local !== null) return follower;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    follower.firstInstall.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), config.startTimeoutMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    follower.close();
    throw new Error(`no local ruleset and the registry ${config.registry} delivered none within ${config.startTimeoutMs} ms`);
  }
  return follower;
}
