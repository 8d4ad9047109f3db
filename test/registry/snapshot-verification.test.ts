import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@tplus/core';
import { snapshotMessage, type SnapshotMessage } from '../../server/src/registry/registry-wire.js';
import { keyId, sha256Hex, verifyFields } from '@tplus/core';
import { signFields } from '../../server/src/registry/server/sign-fields.js';
import { SnapshotRejected, verifySnapshot } from '../../server/src/sync/verify-snapshot.js';
import { bundled } from '../support/bundled.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

function signedSnapshot(): SnapshotMessage {
  const document = Buffer.from(canonicalJson(bundled().pack.document), 'utf8');
  const fields = {
    version: 7,
    parentVersion: 6,
    sha256: sha256Hex(document),
    author: 'ops',
    reason: 'emergency holiday',
    publishedAt: '2026-11-27T10:00:00.000Z',
    rollbackOf: 0,
  };
  return snapshotMessage({ ...fields, signature: signFields(fields, privateKey), keyId: keyId(privateKey), document });
}

function rejection(s: SnapshotMessage, key = publicKey): string {
  try {
    verifySnapshot(s, key, 'registry:test');
  } catch (e) {
    if (e instanceof SnapshotRejected) return e.reason;
    throw e;
  }
  return 'accepted';
}

function flipBit(buf: Buffer, index: number): Buffer {
  const copy = Buffer.from(buf);
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

describe('snapshot signing and verification', () => {
  it('accepts an untouched signed snapshot and returns the version to store', () => {
    const s = signedSnapshot();
    const entry = verifySnapshot(s, publicKey, 'registry:test');
    expect(entry).toMatchObject({ version: 7, hash: s.sha256, source: 'registry:test', publishedAt: s.publishedAt });
    expect(entry.hash).toBe(bundled().pack.hash);
  });

  it('rejects a single flipped bit anywhere in the document (bad_hash)', () => {
    const s = signedSnapshot();
    for (const index of [0, Math.floor(s.document.length / 2), s.document.length - 1]) {
      expect(rejection({ ...s, document: flipBit(s.document, index) })).toBe('bad_hash');
    }
  });

  it('rejects a flipped bit in the signature, and changed signed metadata (bad_signature)', () => {
    const s = signedSnapshot();
    expect(rejection({ ...s, signature: flipBit(s.signature, 10) })).toBe('bad_signature');
    expect(rejection({ ...s, version: 8 })).toBe('bad_signature');
    expect(rejection({ ...s, reason: 'something else' })).toBe('bad_signature');
    expect(rejection({ ...s, signature: s.signature.subarray(0, 63) })).toBe('bad_signature');
  });

  it('rejects a document re-hashed by an attacker without the key (bad_signature)', () => {
    const s = signedSnapshot();
    const document = flipBit(s.document, 100);
    expect(rejection({ ...s, document, sha256: sha256Hex(document) })).toBe('bad_signature');
  });

  it('rejects a snapshot signed with another key (bad_signature), and one with no signature (missing_signature)', () => {
    const s = signedSnapshot();
    expect(rejection(s, other.publicKey)).toBe('bad_signature');
    expect(rejection({ ...s, signature: Buffer.alloc(0) })).toBe('missing_signature');
  });

  it('rejects validly signed bytes that are not a canonical ruleset (invalid_document, non_canonical)', () => {
    const sign = (document: Buffer): SnapshotMessage => {
      const fields = {
        version: 3,
        parentVersion: 2,
        sha256: sha256Hex(document),
        author: 'a',
        reason: 'r',
        publishedAt: '2026-11-27T10:00:00.000Z',
        rollbackOf: 0,
      };
      return snapshotMessage({ ...fields, signature: signFields(fields, privateKey), keyId: keyId(privateKey), document });
    };
    expect(rejection(sign(Buffer.from('{"calendars":')))).toBe('invalid_document');
    const pretty = Buffer.from(JSON.stringify(bundled().pack.document, null, 1));
    expect(rejection(sign(pretty))).toBe('non_canonical');
  });

  it('signs exactly the documented fields, with domain separation', () => {
    const s = signedSnapshot();
    expect(verifyFields(s, s.signature, publicKey)).toBe(true);
    expect(verifyFields({ ...s, rollbackOf: 1 }, s.signature, publicKey)).toBe(false);
    expect(keyId(publicKey)).toBe(keyId(privateKey));
  });
});
