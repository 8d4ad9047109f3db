/** Which etcd failures count against one member (its breaker skips it) and which only say the cluster is busy or without quorum. */
import { GRPCDeadlineExceededError, GRPCUnavailableError, castGrpcError } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { memberUnreachable } from '../../server/src/registry/server/etcd-fault-handling.js';

/** A grpc-js failure as etcd3 receives it (a plain Error with a code), typed the way etcd3 types it. */
const failure = (code: number, message: string): Error => castGrpcError(Object.assign(new Error(message), { code }));

describe('memberUnreachable: what opens one etcd member breaker', () => {
  it.each([
    [
      'connection refused',
      failure(14, '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2379'),
    ],
    ['connection dropped mid-call', failure(14, '14 UNAVAILABLE: Connection dropped')],
  ])('counts %s', (_what, err) => {
    expect(err).toBeInstanceOf(GRPCUnavailableError);
    expect(memberUnreachable(err)).toBe(true);
  });

  it.each([
    ['a leader election', failure(14, '14 UNAVAILABLE: etcdserver: leader changed')],
    ['no leader', failure(14, '14 UNAVAILABLE: etcdserver: no leader')],
    ['a request etcd timed out (lost quorum)', failure(14, '14 UNAVAILABLE: etcdserver: request timed out')],
    ['the deadline passing', failure(4, '4 DEADLINE_EXCEEDED: Deadline exceeded after 1.969s')],
  ])('does not count %s', (_what, err) => {
    expect(memberUnreachable(err)).toBe(false);
  });

  it('the deadline error is typed as etcd3 types it (so the table above tests what the client sees)', () => {
    expect(failure(4, 'deadline')).toBeInstanceOf(GRPCDeadlineExceededError);
  });
});
