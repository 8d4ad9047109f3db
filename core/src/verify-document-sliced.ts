import type { KeyObject } from 'node:crypto';
import { isCanonicalText } from './canonical-pieces.js';
import type { Ruleset } from './ruleset.js';
import type { RulesetDocument } from './ruleset-document.js';
import { buildRuleset, checkSignedBytes, notCanonical, parseDocument, type SignedDocument } from './verify-document.js';
import type { Yielder } from './yielder.js';

/**
 * verifyDocument with the same checks, in the same order, with the same DocumentRejected reasons, done
 * in stretches that give the event loop back through `y`: hash and signature; JSON.parse; the Ruleset
 * build; the canonical-form check piece by piece. For a server that keeps answering while it verifies.
 */
export async function verifyDocumentSliced(
  d: SignedDocument,
  keys: readonly KeyObject[],
  y: Yielder,
): Promise<{ readonly document: RulesetDocument; readonly ruleset: Ruleset }> {
  checkSignedBytes(d, keys);
  await y.pause();
  const text = d.document.toString('utf8');
  const document = parseDocument(d, text);
  await y.pause();
  const ruleset = buildRuleset(d, document);
  await y.pause();
  if (!(await isCanonicalText(document, text, y))) throw notCanonical(d);
  return { document, ruleset };
}
