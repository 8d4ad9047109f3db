import type { Metadata, MethodDefinition } from '@grpc/grpc-js';
import { authMetadata, registryServiceDefinition, type VersionInfoMessage } from '../registry/index.js';
import { ProbeFailure, type ProbeChannel } from './probe-call.js';

/** How a probed server answered: its health and which call said so. */
export interface HealthAnswer {
  /** SERVING, NOT_SERVING, UNKNOWN or SERVICE_UNKNOWN (the grpc.health.v1 names). */
  readonly status: string;
  /** The call that answered, e.g. `grpc.health.v1.Health/Check`. */
  readonly via: string;
  /** A registry's latest version, when the registry showed it (null: none published, or no token). */
  readonly latest?: VersionInfoMessage | null;
  readonly note?: string;
}

const LIST_VERSIONS = 'tplus.registry.v1.RegistryService/ListVersions';
const REFUSALS = new Set(['UNAUTHENTICATED', 'PERMISSION_DENIED']);

/**
 * The health of a registry that has no grpc.health.v1 service (the registry of this release): SERVING
 * when it answers ListVersions, with its versions or by refusing the token (it answers all the same).
 * This is the one place that knows the registry lacks a health service: once the registry serves
 * grpc.health.v1 (issue 16), Check answers and this is never reached.
 */
export async function registryLiveness(channel: ProbeChannel, token: string | null): Promise<HealthAnswer> {
  const method = registryServiceDefinition()['ListVersions'] as MethodDefinition<object, unknown> | undefined;
  if (!method) throw new Error('RegistryService has no ListVersions');
  const metadata: Metadata = authMetadata(token);
  try {
    const res = await channel.call<{ versions: VersionInfoMessage[] }>(method, {}, metadata);
    const latest = res.versions.reduce<VersionInfoMessage | null>((a, v) => (a === null || v.version > a.version ? v : a), null);
    return { status: 'SERVING', via: LIST_VERSIONS, latest };
  } catch (e) {
    if (!(e instanceof ProbeFailure) || !REFUSALS.has(e.code)) throw e;
    return {
      status: 'SERVING',
      via: LIST_VERSIONS,
      latest: null,
      note: `ListVersions answered ${e.code}: pass --token-file to see versions`,
    };
  }
}
