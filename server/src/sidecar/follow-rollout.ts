import { Ruleset, type RulesetDocument } from '@tplus/core';
import { parseExpectedChanges, readPublicKey } from '../registry/index.js';
import type { Logger } from '../runtime/index.js';
import type { RulesetSnapshot } from '../store/index.js';
import { Backoff, readToken, RolloutFollower, type FollowConfig, type RolloutIdentity, type VerifiedSnapshot } from '../sync/index.js';
import type { ShadowEvaluator } from './shadow-evaluator.js';

export interface FollowRolloutDeps {
  readonly log: Logger;
  readonly shadow: ShadowEvaluator;
  readonly current: () => RulesetSnapshot;
  readonly staleness: () => number;
  /** Stores a verified version and makes it active. */
  readonly install: (v: VerifiedSnapshot) => void;
  /** Stores a verified version without activating it. */
  readonly hold: (v: VerifiedSnapshot) => void;
  /** Makes a held version active again. */
  readonly reactivate: (version: number) => void;
  /** `--keep-versions`: activating a candidate needs room for the live version too. */
  readonly keepVersions: number;
}

/** The test-only `skew` fault: the candidate built with every settlement cycle one day longer. */
function skewed(r: Ruleset): Ruleset {
  const doc: RulesetDocument = r.document;
  return new Ruleset({ ...doc, rules: doc.rules.map((x) => ({ ...x, cycleDays: x.cycleDays + 1 })) }, { version: r.version, hash: r.hash });
}

/**
 * The sidecar's side of a staged rollout: candidates are verified (by the follower), stored and held
 * as shadow, or activated where the rollout selects this sidecar; with no candidate open (aborted,
 * halted here, promoted) a sidecar serving a version above live goes back to live.
 */
export function followRollout(follow: FollowConfig, identity: RolloutIdentity, d: FollowRolloutDeps): RolloutFollower {
  const active = (): number => d.current().active.ruleset.version;
  let shadowLogged = 0;
  const follower = new RolloutFollower({
    address: follow.registry,
    token: follow.tokenFile === null ? null : readToken(follow.tokenFile),
    ...(follow.tls ? { tls: follow.tls } : {}),
    publicKeys: follow.publicKeyFiles.map(readPublicKey),
    source: `registry:${follow.registry}`,
    identity,
    log: d.log,
    backoff: new Backoff(follow.backoffMinMs, follow.backoffMaxMs),
    apply: (x) => {
      if (x.candidate === null) {
        d.shadow.clear();
        if (x.liveVersion > 0 && active() > x.liveVersion) d.reactivate(x.liveVersion);
        return null;
      }
      const version = x.candidate.entry.version;
      if (x.activate) {
        // The live version must stay stored beside the candidate, or an abort could not return to it.
        if (d.keepVersions < 2)
          throw new Error(`--keep-versions ${d.keepVersions} cannot keep the live version beside a candidate: use 2 or more`);
        d.shadow.clear();
        if (active() !== version) d.install(x.candidate);
        return 'activated';
      }
      if (!d.current().held.has(version)) d.hold(x.candidate);
      if (active() === version && x.liveVersion > 0) d.reactivate(x.liveVersion);
      const built = d.current().held.get(version)?.ruleset ?? x.candidate.ruleset;
      d.shadow.set(version, identity.fault === 'skew' ? skewed(built) : built, parseExpectedChanges(x.expectChanges));
      if (shadowLogged !== version) {
        shadowLogged = version;
        d.log.info('shadow_held', { version, live: active(), expectChanges: x.expectChanges });
      }
      return 'shadow';
    },
    state: () => ({ activeVersion: active(), shadowVersion: d.shadow.version, stalenessSeconds: d.staleness(), shadow: d.shadow.report() }),
  });
  follower.start();
  return follower;
}
