import { AsyncLocalStorage } from 'node:async_hooks';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  retry,
  type IDefaultPolicyContext,
  type IPolicy,
} from 'cockatiel';
import { GRPCUnavailableError, isRecoverableError, type IOptions } from 'etcd3';

/** Consecutive connection failures after which a member is skipped (its breaker opens). */
const FAILURES_TO_SKIP = 2;
/** A skipped member is tried again (one call, half-open) after this long, or half the deadline if shorter. */
const SKIP_MS = 1_000;
/** Pause between attempts: starts here, grows with jitter up to MAX_PAUSE_MS (or a tenth of the deadline). */
const FIRST_PAUSE_MS = 25;
const MAX_PAUSE_MS = 250;
/** An upper bound on attempts per request, whatever the deadline. */
const MAX_ATTEMPTS = 50;
/** Each attempt may use at most this share of the request's deadline (and never more than what is left of it). */
const ATTEMPT_SHARE = 1 / 3;

/** What the etcd3 client is given: its fault-handling policies and the per-request call options. */
export interface EtcdFaultHandling {
  readonly faultHandling: NonNullable<IOptions['faultHandling']>;
  readonly defaultCallOptions: NonNullable<IOptions['defaultCallOptions']>;
}

/**
 * A member that cannot be reached: the connection was refused, dropped or never established. An
 * error etcd itself answered ("etcdserver: leader changed", "no leader", "request timed out") says
 * nothing about that member, only about the cluster, and a deadline passing may be a lost quorum:
 * neither counts against the member.
 */
export function memberUnreachable(err: Error): boolean {
  return err instanceof GRPCUnavailableError && !err.message.includes('etcdserver:');
}

/**
 * The etcd3 fault handling for one client. etcd3 runs each unary request through `global`, and each
 * attempt on one member through that member's `host` policy; an attempt that fails on a member it
 * reached is not tried on another member by etcd3 itself, only by the next `global` attempt.
 *
 * - One deadline per request, `requestTimeoutMs` from its first attempt, shared by all its attempts,
 *   so a request ends within it whatever happens; and each attempt gets at most ATTEMPT_SHARE of it, so
 *   a member that accepts and never answers (a hung process, a stalled disk, a silent partition, or
 *   etcd itself: a read that reaches a follower as the leader dies waits for a read index that never
 *   comes) costs one attempt, not the request. The next attempt goes to another member. Repeating a
 *   write cut off this way never stores wrong data (chunks go under the key of their content; versions
 *   and pending versions are created by transactions that require the state they were built on). When
 *   the cut-off commit did go through, the repeat is refused; the call then finds its own bytes under the
 *   key it was writing and counts them as its creation: a version (EtcdBackend.append) or a pending
 *   version of four-eyes (EtcdPending.add, which would otherwise number the same request twice).
 * - `global` tries again, on the next member in etcd3's shuffled order, after a recoverable error
 *   (unavailable, leader changed, ...) or when every member is being skipped, with a short growing
 *   pause, while at least one pause is left before the deadline: a request rides out a member killed
 *   or a leader election, and fails with the last real error when the deadline comes (quorum lost).
 * - `host` is a breaker per member counting only connection failures (`memberUnreachable`): after
 *   FAILURES_TO_SKIP in a row the member is skipped, and tried again (one request) after SKIP_MS, so
 *   a member that comes back is used again within a second. A lost quorum never opens the breaker of
 *   a member that is up, so the first request after the quorum returns goes through.
 * The watch's reconnection backoff is etcd3's own (unchanged).
 */
export function etcdFaultHandling(requestTimeoutMs: number): EtcdFaultHandling {
  const deadline = new AsyncLocalStorage<number>();
  const maxPause = Math.max(5, Math.min(MAX_PAUSE_MS, requestTimeoutMs / 10));
  const timeLeft = (): number => (deadline.getStore() ?? Number.POSITIVE_INFINITY) - Date.now();
  const retrying = retry(
    handleWhen((err) => (isRecoverableError(err) || isBrokenCircuitError(err)) && timeLeft() > maxPause),
    {
      maxAttempts: MAX_ATTEMPTS,
      backoff: new ExponentialBackoff({ initialDelay: Math.min(FIRST_PAUSE_MS, maxPause), maxDelay: maxPause }),
    },
  );
  const global: IPolicy<IDefaultPolicyContext> = {
    _altReturn: undefined as never,
    onSuccess: retrying.onSuccess,
    onFailure: retrying.onFailure,
    execute: (fn, signal) => deadline.run(Date.now() + requestTimeoutMs, () => retrying.execute(fn, signal)),
  };
  const skipMs = Math.min(SKIP_MS, requestTimeoutMs / 2);
  const attemptMs = requestTimeoutMs * ATTEMPT_SHARE;
  return {
    faultHandling: {
      global,
      host: () =>
        circuitBreaker(handleWhen(memberUnreachable), { halfOpenAfter: skipMs, breaker: new ConsecutiveBreaker(FAILURES_TO_SKIP) }),
    },
    defaultCallOptions: (ctx) =>
      ctx.isStream ? {} : { deadline: Math.min(deadline.getStore() ?? Number.POSITIVE_INFINITY, Date.now() + attemptMs) },
  };
}
