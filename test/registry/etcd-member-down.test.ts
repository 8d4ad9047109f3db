/**
 * The etcd backend with members of a real 3-member etcd killed (SIGKILL) and restarted: while a majority
 * is up no call fails, whichever member is down (the leader included); with the majority lost a call fails
 * within its deadline with STORE_UNAVAILABLE naming the endpoints; once members are back the very next
 * call works (no breaker left open on a member that came back).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { etcdKeys } from '../../server/src/registry/server/etcd-keys.js';
import type { EtcdStoreConfig } from '../../server/src/registry/server/registry-config.js';
import { RegistryError } from '../../server/src/registry/server/registry-error.js';
import type { EtcdCluster } from '../support/etcd-cluster.js';
import { etcdBackends } from './etcd-backends.js';
import { mixedCall, next, version } from './etcd-versions.js';

/** Which member is killed in each round (restarted at the end of the round). */
const ROUNDS = ['member 0', 'the leader', 'a follower', 'the leader', 'a follower', 'the leader'] as const;
/** Calls made with one member down, per round (appends, reads of a version, reads of the latest). */
const CALLS = 20;
/** A round stops here even if CALLS were not made (and then fails, saying so). */
const ROUND_BUDGET_MS = 40_000;
/** The default --etcd-timeout-ms: a leader election (1-2 s with this cluster's 1 s election timeout) fits in it. */
const TIMEOUT_MS = 5_000;
/** Shorter for the lost quorum, which takes the whole deadline to fail. */
const QUORUM_TIMEOUT_MS = 2_000;

describe('etcd registry backend with members down (real 3-member etcd)', () => {
  const backends = etcdBackends();
  let etcd: EtcdCluster;
  let prefixSeq = 0;
  const config = (requestTimeoutMs = TIMEOUT_MS): EtcdStoreConfig => backends.config(`/down${++prefixSeq}/`, requestTimeoutMs);
  const open = backends.open;
  beforeAll(() => {
    etcd = backends.cluster();
  });

  it(`one member down (${ROUNDS.join(', ')}, each restarted in turn): ${CALLS} calls each, every one succeeds`, async () => {
    const b = await open(config());
    await b.append(next('{"r":0}'));
    const failures: string[] = [];
    let made = 0;
    for (const aim of ROUNDS) {
      const leader = await etcd.leader();
      const victim = aim === 'member 0' ? 0 : aim === 'the leader' ? leader : (leader + 1) % 3;
      await etcd.kill(victim);
      const started = Date.now();
      let calls = 0;
      for (; calls < CALLS && Date.now() - started < ROUND_BUDGET_MS; calls++) {
        const call = mixedCall(b, calls, `{"aim":"${aim}","i":${calls}}`);
        await call.catch((e: unknown) => failures.push(`${aim} (m${victim}) call ${calls}: ${e instanceof Error ? e.message : String(e)}`));
      }
      made += calls;
      console.log(`etcd ${aim} (m${victim}) down: ${calls} calls in ${Date.now() - started} ms`);
      expect(calls, `calls with ${aim} down within ${ROUND_BUDGET_MS} ms`).toBe(CALLS);
      await etcd.restart(victim);
    }
    console.log(`etcd one member down: ${failures.length} of ${made} calls failed${failures.length ? `; first: ${failures[0]}` : ''}`);
    expect(failures).toEqual([]);
  }, 180_000);

  it('quorum lost: STORE_UNAVAILABLE within the deadline naming the endpoints, nothing written; members back: the next read and append work', async () => {
    const c = config(QUORUM_TIMEOUT_MS);
    const b = await open(c);
    await b.append(next('{"q":1}'));
    await etcd.kill(1);
    await etcd.kill(2);
    const started = Date.now();
    const err = await b.append(() => version(2, Buffer.from('{"q":2}'))).catch((e: unknown) => e);
    const failedMs = Date.now() - started;
    console.log(`etcd quorum lost: append failed after ${failedMs} ms`);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('STORE_UNAVAILABLE');
    expect((err as RegistryError).message).toContain(etcd.endpoints);
    const readErr = await b.latest().catch((e: unknown) => e);
    expect((readErr as RegistryError).code).toBe('STORE_UNAVAILABLE');
    await etcd.restart(1);
    await etcd.restart(2);
    const keys = etcdKeys(c.prefix);
    for (let m = 0; m < 3; m++) expect((await etcd.readPrefix(m, keys.prefix)).map((kv) => kv.key)).not.toContain(keys.version(2));
    expect((await b.latest())?.version).toBe(1);
    expect((await b.get(1))?.version).toBe(1);
    expect((await b.append(next('{"q":2}')))?.version).toBe(2);
    expect(failedMs, 'failed within its deadline (plus slack for a loaded box)').toBeLessThan(QUORUM_TIMEOUT_MS * 1.5);
  }, 120_000);
  it('every member down: STORE_UNAVAILABLE within the deadline; all back: the very next read works (skipped members are tried again)', async () => {
    const c = config(QUORUM_TIMEOUT_MS);
    const b = await open(c);
    await b.append(next('{"all":1}'));
    await Promise.all([0, 1, 2].map((m) => etcd.kill(m)));
    const started = Date.now();
    const err = await b.latest().catch((e: unknown) => e);
    const failedMs = Date.now() - started;
    console.log(`etcd all members down: read failed after ${failedMs} ms: ${(err as Error).message}`);
    expect((err as RegistryError).code).toBe('STORE_UNAVAILABLE');
    expect(failedMs).toBeLessThan(QUORUM_TIMEOUT_MS * 1.5);
    expect((err as RegistryError).message).toContain(etcd.endpoints);
    await Promise.all([0, 1, 2].map((m) => etcd.restart(m)));
    expect((await b.latest())?.version).toBe(1);
    expect((await b.append(next('{"all":2}')))?.version).toBe(2);
  }, 120_000);
});
