import { verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './ruleset-hash.js';

/** Domain separation: a heartbeat signature can never pass for a snapshot's, nor the reverse. */
export const HEARTBEAT_DOMAIN = 'tplus.registry.v1.heartbeat';

/** What a signed heartbeat vouches for: the registry's latest version, as of `sentAt`. */
export interface HeartbeatFields {
  readonly latestVersion: number;
  readonly latestSha256: string;
  /** RFC 3339 UTC. */
  readonly sentAt: string;
}

/** The exact bytes a heartbeat signature covers (see registry.proto, Heartbeat.signature). */
export function heartbeatPayload(f: HeartbeatFields): Buffer {
  return Buffer.from(
    canonicalJson({ domain: HEARTBEAT_DOMAIN, latest_sha256: f.latestSha256, latest_version: f.latestVersion, sent_at: f.sentAt }),
    'utf8',
  );
}

/** True only for a valid ed25519 signature of exactly these heartbeat fields by `publicKey`. */
export function verifyHeartbeat(f: HeartbeatFields, signature: Buffer, publicKey: KeyObject): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, heartbeatPayload(f), publicKey, signature);
  } catch {
    return false;
  }
}
