import type { MethodDefinition } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { ProbeFailure, type ProbeChannel } from './probe-call.js';
import { registryLiveness, type HealthAnswer } from './registry-liveness.js';

const CHECK = healthService['Check'] as MethodDefinition<object, unknown> | undefined;
const NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/**
 * grpc.health.v1 Check of the whole server (service ""): the sidecar reports SERVING once it serves a
 * verified ruleset and NOT_SERVING from the start of its shutdown. A server without the health service
 * (UNIMPLEMENTED) is asked as a registry instead. Unreachable: rejects with ProbeFailure.
 */
export async function probeHealth(channel: ProbeChannel, token: string | null): Promise<HealthAnswer> {
  if (!CHECK) throw new Error('grpc-health-check has no Check method');
  try {
    const res = await channel.call<{ status: string | number }>(CHECK, { service: '' });
    const status = typeof res.status === 'number' ? (NAMES[res.status] ?? String(res.status)) : res.status;
    return { status, via: 'grpc.health.v1.Health/Check' };
  } catch (e) {
    if (e instanceof ProbeFailure && e.code === 'UNIMPLEMENTED') return registryLiveness(channel, token);
    throw e;
  }
}
