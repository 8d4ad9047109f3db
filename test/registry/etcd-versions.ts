/** Signed version records for the etcd backend tests (what the ledger would hand `append`). */
import { generateKeyPairSync } from 'node:crypto';
import { keyId, sha256Hex } from '@tplus/core';
import type { EtcdBackend } from '../../server/src/registry/server/etcd-backend.js';
import type { NewVersion } from '../../server/src/registry/server/registry-backend.js';
import { signFields } from '../../server/src/registry/server/sign-fields.js';
import type { VersionRecord } from '../../server/src/registry/version-record.js';

const { privateKey } = generateKeyPairSync('ed25519');

/** Version `n` holding `document`, signed, with its audit row. */
export function version(n: number, document: Buffer): NewVersion {
  const fields = {
    version: n,
    parentVersion: n - 1,
    sha256: sha256Hex(document),
    author: 'a',
    reason: `v${n}`,
    publishedAt: '2026-12-01T10:00:00.000Z',
    rollbackOf: 0,
  };
  const record: VersionRecord = { ...fields, signature: signFields(fields, privateKey), keyId: keyId(privateKey), document };
  return {
    record,
    audit: { at: '2026-12-01T10:00:00.000Z', who: 'publish', action: 'Publish:commit', detail: `created version ${n}`, result: 'ok' },
  };
}

/** An `append` maker: the version after the latest, holding `body`. */
export const next = (body: string) => (latest: VersionRecord | null) => version((latest?.version ?? 0) + 1, Buffer.from(body));

/** Call `i` of a mixed load on `b`, in turn: a create holding `body`, a read of the latest version by number, a read of the latest. */
export function mixedCall(b: EtcdBackend, i: number, body: string): Promise<number | undefined> {
  if (i % 3 === 0) return b.append(next(body)).then((r) => r?.version);
  if (i % 3 === 1) return b.get(b.latestVersion()).then((r) => r?.version);
  return b.latest().then((r) => r?.version);
}
