import { sign, type KeyObject } from 'node:crypto';
import { heartbeatPayload, signedPayload, type HeartbeatFields, type SignedFields } from '@tplus/core';

/** The registry's ed25519 signature over a version's signed fields (verification lives in @tplus/core). */
export function signFields(f: SignedFields, privateKey: KeyObject): Buffer {
  return sign(null, signedPayload(f), privateKey);
}

/** The registry's ed25519 signature over a heartbeat (what lets a follower trust that it is up to date). */
export function signHeartbeat(f: HeartbeatFields, privateKey: KeyObject): Buffer {
  return sign(null, heartbeatPayload(f), privateKey);
}
