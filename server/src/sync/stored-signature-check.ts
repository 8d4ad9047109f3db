import type { KeyObject } from 'node:crypto';
import { keyIds, keysFor, verifyFields } from '@tplus/core';
import { LocalVersionRejected, type RowCheck } from '../store/index.js';

/**
 * The check a following sidecar applies to every stored version before it may serve it: the version
 * must carry the registry's signature, and that signature must verify with the trusted public key of its key id
 * over the stored fields (so a document altered together with its hash column is refused too).
 */
export function storedSignatureCheck(publicKeys: readonly KeyObject[]): RowCheck {
  return (row) => {
    const p = row.signed;
    if (p === null) throw new LocalVersionRejected('local_unsigned', `version ${row.version} is stored without its registry signature`);
    const fields = {
      version: row.version,
      parentVersion: p.parentVersion,
      sha256: row.hash,
      author: p.author,
      reason: p.reason,
      publishedAt: row.publishedAt,
      rollbackOf: p.rollbackOf,
      approver: p.approver,
    };
    const candidates = keysFor(publicKeys, p.keyId);
    if (candidates.length === 0)
      throw new LocalVersionRejected(
        'local_corrupt',
        `version ${row.version} is signed with key ${p.keyId}, which is not trusted here (trusted: ${keyIds(publicKeys)})`,
      );
    if (!candidates.some((key) => verifyFields(fields, p.signature, key))) {
      throw new LocalVersionRejected(
        'local_corrupt',
        `version ${row.version}: the stored signature (key ${p.keyId || 'unknown'}) does not verify with the configured public key`,
      );
    }
  };
}
