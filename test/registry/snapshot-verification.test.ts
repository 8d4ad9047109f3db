import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalPieces } from '@tplus/core';
import { snapshotMessage, type SnapshotMessage } from '../../server/src/registry/registry-wire.js';
import { keyId, sha256Hex, verifyFields } from '@tplus/core';
import { signFields } from '../../server/src/registry/server/sign-fields.js';
import { SnapshotRejected, verifyAndBuildSliced, verifySnapshot } from '../../server/src/sync/verify-snapshot.js';
import { Slicer } from '../../server/src/sync/slicer.js';
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
    const sign = signedDocument;
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

/** The sliced verification a following sidecar runs (short stretches between event-loop turns). */
async function slicedRejection(s: SnapshotMessage, key = publicKey): Promise<string> {
  try {
    await verifyAndBuildSliced(s, key, 'registry:test', new Slicer(1));
  } catch (e) {
    if (e instanceof SnapshotRejected) return e.reason;
    throw e;
  }
  return 'accepted';
}

/** A snapshot of version 3 whose `document` bytes are signed as they are, canonical or not. */
function signedDocument(document: Buffer): SnapshotMessage {
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
}

describe('sliced snapshot verification: every check of the synchronous one, the same reasons', () => {
  const canonical = canonicalJson(bundled().pack.document);
  // Validly signed texts that parse to the same document but are not its canonical form, each differing
  // from it at a different depth: the piecewise comparison must catch every one.
  const notCanonical: Record<string, string> = {
    pretty: JSON.stringify(bundled().pack.document, null, 1),
    'trailing space': `${canonical} `,
    'escaped letter deep in a holiday name': canonical.replace('"name":"New Year', '"name":"New Y\\u0065ar'),
    'keys out of order in one holiday entry': canonical.replace(
      /\{"closesSettlement":(true|false),"date":"([^"]+)"/,
      '{"date":"$2","closesSettlement":$1',
    ),
    'number written 5.0': canonical.replace(/"cycleDays":(\d)/, '"cycleDays":$1.0'),
  };

  it('the pieces of the canonical text, opened to any depth, join to exactly canonicalJson', () => {
    const doc = bundled().pack.document;
    for (let depth = 0; depth <= 5; depth++) expect([...canonicalPieces(doc, depth)].join(''), `depth ${depth}`).toBe(canonical);
    const odd = { b: [1, { z: null, a: 'x' }], a: undefined, '10': true, '9': [] };
    for (let depth = 0; depth <= 3; depth++) expect([...canonicalPieces(odd, depth)].join(''), `depth ${depth}`).toBe(canonicalJson(odd));
  });

  it('accepts the untouched snapshot and builds the same version as the synchronous check', async () => {
    const s = signedSnapshot();
    const v = await verifyAndBuildSliced(s, publicKey, 'registry:test', new Slicer(1));
    expect(v.entry).toEqual(verifySnapshot(s, publicKey, 'registry:test'));
    expect(v.ruleset.hash).toBe(bundled().pack.hash);
  });

  it('refuses tampered bytes, signatures, keys and documents with the reason the synchronous check gives', async () => {
    const s = signedSnapshot();
    const cases: [string, SnapshotMessage, typeof publicKey][] = [
      ['flipped document bit', { ...s, document: flipBit(s.document, 1000) }, publicKey],
      ['flipped signature bit', { ...s, signature: flipBit(s.signature, 10) }, publicKey],
      ['changed signed field', { ...s, version: 8 }, publicKey],
      ['other key', s, other.publicKey],
      ['no signature', { ...s, signature: Buffer.alloc(0) }, publicKey],
      ['not JSON', signedDocument(Buffer.from('{"calendars":')), publicKey],
      ['not a ruleset', signedDocument(Buffer.from('{"calendars":[{"id":7}],"rules":[]}')), publicKey],
      ...Object.entries(notCanonical).map(([name, text]): [string, SnapshotMessage, typeof publicKey] => [
        name,
        signedDocument(Buffer.from(text)),
        publicKey,
      ]),
    ];
    for (const [name, message, key] of cases) {
      const reason = rejection(message, key);
      expect(reason, name).not.toBe('accepted');
      expect(await slicedRejection(message, key), name).toBe(reason);
    }
    for (const name of Object.keys(notCanonical)) {
      expect(notCanonical[name], name).not.toBe(canonical); // each replacement really changed the text
      expect(await slicedRejection(signedDocument(Buffer.from(notCanonical[name] as string))), name).toBe('non_canonical');
    }
  });
});
