import { sha256Hex } from '@tplus/core';
import type { VersionRecord } from '../index.js';

/**
 * Documents up to this size are stored inside their version record. etcd refuses a request over
 * 1.5 MiB by default (`--max-request-bytes`), and the document is base64 in JSON (4/3 larger), so
 * anything bigger is stored first as content-addressed chunks of CHUNK_BYTES the record lists.
 */
export const INLINE_DOCUMENT_MAX_BYTES = 512 * 1024;
export const CHUNK_BYTES = 1024 * 1024;

/** A version as stored under `versions/N`: the signed fields, and the document or its chunk list. */
interface StoredVersion {
  readonly version: number;
  readonly parentVersion: number;
  readonly sha256: string;
  readonly signature: string;
  readonly keyId: string;
  readonly author: string;
  readonly reason: string;
  readonly publishedAt: string;
  readonly rollbackOf: number;
  readonly approver?: string;
  readonly document?: string;
  /** sha256 of each chunk, in order, when the document is not inline. */
  readonly chunks?: readonly string[];
}

export interface Chunk {
  readonly sha256: string;
  readonly bytes: Buffer;
}

export interface EncodedVersion {
  readonly value: string;
  /** To write (idempotently) before the record; empty when the document is inline. */
  readonly chunks: readonly Chunk[];
}

export function encodeVersion(r: VersionRecord, inlineMax = INLINE_DOCUMENT_MAX_BYTES, chunkBytes = CHUNK_BYTES): EncodedVersion {
  const fields = {
    version: r.version,
    parentVersion: r.parentVersion,
    sha256: r.sha256,
    signature: r.signature.toString('base64'),
    keyId: r.keyId,
    author: r.author,
    reason: r.reason,
    publishedAt: r.publishedAt,
    rollbackOf: r.rollbackOf,
    ...(r.approver === undefined ? {} : { approver: r.approver }),
  };
  return encodeWithDocument(fields, r.document, inlineMax, chunkBytes);
}

/** `fields` with `document` inline (base64), or with the list of its chunks when it is larger than `inlineMax`. */
export function encodeWithDocument(
  fields: object,
  document: Buffer,
  inlineMax = INLINE_DOCUMENT_MAX_BYTES,
  chunkBytes = CHUNK_BYTES,
): EncodedVersion {
  if (document.length <= inlineMax) return { value: JSON.stringify({ ...fields, document: document.toString('base64') }), chunks: [] };
  const chunks: Chunk[] = [];
  for (let at = 0; at < document.length; at += chunkBytes) {
    const bytes = document.subarray(at, at + chunkBytes);
    chunks.push({ sha256: sha256Hex(bytes), bytes });
  }
  return { value: JSON.stringify({ ...fields, chunks: chunks.map((c) => c.sha256) }), chunks };
}

/** The document of a stored record: inline, or its chunks read with `chunk` (a missing one throws, naming it). */
export async function decodeDocument(
  key: string,
  s: { readonly document?: string; readonly chunks?: readonly string[] },
  chunk: (sha256: string) => Promise<Buffer | null>,
): Promise<Buffer> {
  if (s.document !== undefined) return Buffer.from(s.document, 'base64');
  const parts: Buffer[] = [];
  for (const sha of s.chunks ?? []) {
    const bytes = await chunk(sha);
    if (bytes === null) throw new Error(`${key} lists chunk ${sha}, which is missing from etcd`);
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

/** The record under `key`, its chunks read with `chunk` (a missing or altered chunk throws, naming it). */
export async function decodeVersion(key: string, value: Buffer, chunk: (sha256: string) => Promise<Buffer | null>): Promise<VersionRecord> {
  const s = JSON.parse(value.toString('utf8')) as StoredVersion;
  const document = await decodeDocument(key, s, chunk);
  return {
    version: s.version,
    parentVersion: s.parentVersion,
    sha256: s.sha256,
    signature: Buffer.from(s.signature, 'base64'),
    keyId: s.keyId,
    author: s.author,
    reason: s.reason,
    publishedAt: s.publishedAt,
    rollbackOf: s.rollbackOf,
    ...(s.approver === undefined ? {} : { approver: s.approver }),
    document,
  };
}
