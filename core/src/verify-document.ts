import type { KeyObject } from 'node:crypto';
import { Ruleset } from './ruleset.js';
import type { RulesetDocument } from './ruleset-document.js';
import { canonicalJson } from './ruleset-hash.js';
import { keyIds, keysFor, sha256Hex, verifyFields, type SignedFields } from './snapshot-signature.js';

/** Why a signed ruleset document must not be used. */
export const DOCUMENT_REJECT_REASONS = ['missing_signature', 'bad_hash', 'bad_signature', 'invalid_document', 'non_canonical'] as const;
export type DocumentRejectReason = (typeof DOCUMENT_REJECT_REASONS)[number];

export class DocumentRejected extends Error {
  override readonly name = 'DocumentRejected';

  constructor(
    readonly reason: DocumentRejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** A ruleset version as it travels: the signed fields, the canonical document bytes and the signature. */
export interface SignedDocument extends SignedFields {
  readonly document: Buffer;
  readonly signature: Buffer;
  readonly keyId: string;
}

/**
 * The checks every consumer of a ruleset version makes before using it (a following sidecar, a relay,
 * the CLI replaying a version, an in-process SDK client): the document's sha256; with `keys`, an ed25519
 * signature that verifies with one of them (an unsigned version is then refused); then a canonical
 * document that builds a Ruleset. With no keys only the sha256 is checked. Throws DocumentRejected.
 */
export function verifyDocument(
  d: SignedDocument,
  keys: readonly KeyObject[],
): { readonly document: RulesetDocument; readonly ruleset: Ruleset } {
  checkSignedBytes(d, keys);
  const text = d.document.toString('utf8');
  const document = parseDocument(d, text);
  const ruleset = buildRuleset(d, document);
  if (canonicalJson(document) !== text) throw notCanonical(d);
  return { document, ruleset };
}

/** The sha256 and, with `keys`, the signature (the first checks of verifyDocument). Throws DocumentRejected. */
export function checkSignedBytes(d: SignedDocument, keys: readonly KeyObject[]): void {
  const v = d.version;
  if (keys.length > 0 && d.signature.length === 0) throw new DocumentRejected('missing_signature', `version ${v} carries no signature`);
  const actual = sha256Hex(d.document);
  if (actual !== d.sha256)
    throw new DocumentRejected('bad_hash', `version ${v}: document sha256 ${actual} is not the announced ${d.sha256}`);
  const candidates = keysFor(keys, d.keyId);
  if (keys.length > 0 && candidates.length === 0)
    throw new DocumentRejected(
      'bad_signature',
      `version ${v} is signed with key ${d.keyId}, which is not trusted here (trusted: ${keyIds(keys)}); add its public key with --registry-public-key`,
    );
  if (keys.length > 0 && !candidates.some((key) => verifyFields(d, d.signature, key))) {
    throw new DocumentRejected(
      'bad_signature',
      `version ${v}: the signature (key ${d.keyId || 'unknown'}) does not verify with ${keys.length === 1 ? 'the configured public key' : 'the trusted public key of that id'}`,
    );
  }
}

/** JSON.parse of the document text; a failure is `invalid_document`. */
export function parseDocument(d: SignedDocument, text: string): RulesetDocument {
  try {
    return JSON.parse(text) as RulesetDocument;
  } catch (err) {
    throw doesNotBuild(d, err);
  }
}

/** The Ruleset the document builds; a failure is `invalid_document`. */
export function buildRuleset(d: SignedDocument, document: RulesetDocument): Ruleset {
  try {
    return new Ruleset(document, { version: d.version, hash: d.sha256 });
  } catch (err) {
    throw doesNotBuild(d, err);
  }
}

export function notCanonical(d: SignedDocument): DocumentRejected {
  return new DocumentRejected('non_canonical', `version ${d.version}: the document is not in canonical form`);
}

function doesNotBuild(d: SignedDocument, err: unknown): DocumentRejected {
  return new DocumentRejected(
    'invalid_document',
    `version ${d.version}: the document does not build a ruleset (${err instanceof Error ? err.message : String(err)})`,
  );
}
