import { sign, type KeyObject } from 'node:crypto';
import { signedPayload, type SignedFields } from '@tplus/core';

/** The registry's ed25519 signature over a version's signed fields (verification lives in @tplus/core). */
export function signFields(f: SignedFields, privateKey: KeyObject): Buffer {
  return sign(null, signedPayload(f), privateKey);
}
