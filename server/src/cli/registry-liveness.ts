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
 * A registry's latest version (for `status`), and the health of a registry without grpc.health.v1 (one
 * older than issue 16): SERVING when it answers ListVersions, with its versions or by refusing the token
 * (it answers all the same). A current registry answers Check itself, so `health` never comes here.
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
