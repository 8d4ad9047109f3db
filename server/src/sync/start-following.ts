import { readFileSync } from 'node:fs';
import { keyId } from '@tplus/core';
import type { Registry } from 'prom-client';
import { readPublicKey } from '../registry/index.js';
import type { Logger } from '../runtime/index.js';
import type { RulesetStore } from '../store/index.js';
import { Backoff } from './backoff.js';
import type { SnapshotRejections } from './snapshot-rejections.js';
import type { FollowConfig } from './follow-config.js';
import { Follower, type FollowerOptions } from './follower.js';
import { ReplicationMetrics } from './replication-metrics.js';
import type { VerifiedSnapshot } from './verify-snapshot.js';

export interface FollowDeps {
  readonly store: RulesetStore;
  readonly log: Logger;
  readonly registry: Registry;
  readonly rejections: SnapshotRejections;
  readonly now: () => Date;
  /** The version this sidecar serves (0 = none yet): the Watch stream asks for anything newer. */
  readonly localVersion: () => number;
  /** Stores the verified version and swaps in its (already built) ruleset. */
  readonly install: (verified: VerifiedSnapshot) => void;
  /** Work on a verified ruleset before it is installed, in stretches (FollowerOptions.prepare). */
  readonly prepare?: FollowerOptions['prepare'];
  /** Older versions found corrupt at rest, to fetch again and keep (not activate). */
  readonly refetch: { readonly versions: readonly number[]; readonly hold: (verified: VerifiedSnapshot) => void };
  /**
   * `none`: a verified local version is the one last activated, serve it at once. `prefer`: only an
   * older one is usable, wait (bounded) for the registry's latest and serve the older one if it does
   * not come. `require`: nothing usable, wait and fail when nothing comes.
   */
  readonly wait: 'none' | 'prefer' | 'require';
}

/** The `source` of versions that came from a registry. */
export const registrySource = (address: string): string => `registry:${address}`;

/** First line of a token file, trimmed; the token itself is never logged. */
export function readToken(file: string): string {
  const token = readFileSync(file, 'utf8').split(/\r?\n/)[0]?.trim() ?? '';
  if (token === '') throw new Error(`${file} holds no token on its first line`);
  return token;
}

/** The foreign-source check: a store holding versions from anywhere else is refused (version numbers would clash). */
export function refuseForeignStore(store: RulesetStore): void {
  const foreign = store.rows().find((r) => !r.source.startsWith('registry:'));
  if (foreign) {
    throw new Error(
      `${store.file} holds version ${foreign.version} from ${JSON.stringify(foreign.source)}; a sidecar following a registry needs a data dir of its own`,
    );
  }
}

/**
 * Starts following the registry. With a verified local copy of the version last activated it returns
 * at once (the sidecar serves it while the registry is down). Otherwise it waits for the registry's
 * latest verified version, bounded by `startTimeoutMs`: with nothing usable locally it then fails (the
 * sidecar exits 1 and never reports SERVING); with an older usable version it returns and the sidecar
 * serves that one, saying so loudly. Readiness rests on this: the sidecar binds its sockets and reports
 * SERVING only after it has loaded a ruleset.
 */
export async function startFollowing(config: FollowConfig, deps: FollowDeps): Promise<Follower> {
  const publicKeys = config.publicKeyFiles.map(readPublicKey);
  const token = config.tokenFile === null ? null : readToken(config.tokenFile);
  const metrics = new ReplicationMetrics(deps.registry, deps.now, deps.now(), deps.rejections);
  const follower = new Follower({
    address: config.registry,
    token,
    ...(config.tls ? { tls: config.tls } : {}),
    publicKeys,
    source: registrySource(config.registry),
    localVersion: deps.localVersion,
    install: deps.install,
    ...(deps.prepare ? { prepare: deps.prepare } : {}),
    refetch: deps.refetch,
    log: deps.log,
    metrics,
    now: deps.now,
    backoff: new Backoff(config.backoffMinMs, config.backoffMaxMs),
  });
  follower.start();
  const local = deps.localVersion();
  deps.log.info('following_registry', {
    registry: config.registry,
    localVersion: local,
    authenticated: token !== null,
    tls: config.tls !== undefined,
    trustedKeys: publicKeys.map(keyId),
  });
  if (deps.wait === 'none') return follower;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    follower.firstInstall.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), config.startTimeoutMs))),
  ]);
  clearTimeout(timer);
  if (timedOut && deps.wait === 'require') {
    follower.close();
    throw new Error(`no usable local ruleset and the registry ${config.registry} delivered none within ${config.startTimeoutMs} ms`);
  }
  return follower;
}
