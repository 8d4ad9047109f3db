/**
 * A member that accepts connections and never answers (SIGSTOP: a hung process, a stalled disk, a
 * partition that drops packets). etcd itself can do the same: a read that reaches a follower just as
 * the leader dies waits for a read index that never comes (measured: one attempt held 5,013 ms, the
 * whole default deadline, in etcd-kill-under-load.test.ts). Each attempt therefore has a share of
 * the request's deadline, and the next attempt goes to another member.
 *
 * With the leader hung, the calls start once the other two have elected a new one: during the election
 * etcd 3.4 drops a follower's read-index requests (no leader) or forwards them to the hung leader, and that
 * follower's linearizable reads then wait out etcd's own request timeout (5 s + 2 election timeouts), so a
 * call made in that window can fail whatever the client does (seen once in CI with the calls started at
 * once). What is tested is that the hung member itself costs no more than one attempt per call.
 */
import { describe, expect, it } from 'vitest';
import type { EtcdStoreConfig } from '../../server/src/registry/server/registry-config.js';
import type { EtcdCluster } from '../support/etcd-cluster.js';
import { etcdBackends } from './etcd-backends.js';
import { mixedCall, next } from './etcd-versions.js';

/** The request deadline (--etcd-timeout-ms) in these tests. */
const TIMEOUT_MS = 3_000;
/** Calls per round; a round also stops after ROUND_BUDGET_MS (and then fails, saying so). */
const CALLS = 15;
const ROUND_BUDGET_MS = 40_000;
/** How long the two other members may take to elect a leader when the leader hangs. */
const ELECTION_BUDGET_MS = 20_000;

describe('etcd registry backend with a member that never answers (real 3-member etcd, SIGSTOP)', () => {
  const backends = etcdBackends();
  let prefixSeq = 0;
  const config = (): EtcdStoreConfig => backends.config(`/hung${++prefixSeq}/`, TIMEOUT_MS);

  for (const aim of ['a follower', 'the leader'] as const) {
    it(`${aim} hung: ${CALLS} calls (creates and reads) each succeed within the deadline`, async () => {
      const etcd: EtcdCluster = backends.cluster();
      const b = await backends.open(config());
      await b.append(next('{"h":0}'));
      const leader = await etcd.leader();
      const victim = aim === 'the leader' ? leader : (leader + 1) % 3;
      const failures: string[] = [];
      let slowest = 0;
      let calls = 0;
      let started = Date.now();
      etcd.pause(victim);
      try {
        if (aim === 'the leader') {
          const paused = Date.now();
          let elected = victim;
          while (elected === victim && Date.now() - paused < ELECTION_BUDGET_MS) {
            elected = await etcd.leader(5_000).catch(() => victim);
            if (elected === victim) await new Promise((r) => setTimeout(r, 200));
          }
          console.log(`etcd leader m${victim} hung: m${elected} elected after ${Date.now() - paused} ms`);
          expect(elected, `a new leader within ${ELECTION_BUDGET_MS} ms`).not.toBe(victim);
          started = Date.now();
        }
        for (; calls < CALLS && Date.now() - started < ROUND_BUDGET_MS; calls++) {
          const t0 = Date.now();
          const call = mixedCall(b, calls, `{"h":${calls + 1}}`);
          await call.catch((e: unknown) => failures.push(`call ${calls}: ${e instanceof Error ? e.message : String(e)}`));
          slowest = Math.max(slowest, Date.now() - t0);
        }
      } finally {
        etcd.resume(victim);
      }
      console.log(
        `etcd ${aim} (m${victim}) hung: ${calls} calls in ${Date.now() - started} ms, slowest ${slowest} ms, ${failures.length} failed`,
      );
      expect(calls, `calls within ${ROUND_BUDGET_MS} ms`).toBe(CALLS);
      expect(failures).toEqual([]);
      expect(b.latestVersion()).toBe(1 + CALLS / 3);
    }, 120_000);
  }
});
