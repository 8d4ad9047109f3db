import { canonicalEntries, canonicalJson } from './ruleset-hash.js';
import type { Yielder } from './yielder.js';

/**
 * canonicalJson(value) as a sequence of pieces whose concatenation is exactly that text: arrays and
 * objects are opened down to `depth` levels of nesting, anything deeper is one piece.
 */
export function* canonicalPieces(value: unknown, depth: number): Generator<string> {
  if (depth > 0 && Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      yield* canonicalPieces(value[i], depth - 1);
    }
    yield ']';
    return;
  }
  if (depth > 0 && value !== null && typeof value === 'object') {
    yield '{';
    let first = true;
    for (const [k, v] of canonicalEntries(value)) {
      if (!first) yield ',';
      first = false;
      yield `${JSON.stringify(k)}:`;
      yield* canonicalPieces(v, depth - 1);
    }
    yield '}';
    return;
  }
  yield canonicalJson(value);
}

/**
 * Whether `text` is exactly canonicalJson(value), compared piece by piece at the running offset
 * (never the whole canonical text at once), pausing whenever `y` says the stretch has run long enough.
 * Depth 2 opens a ruleset document down to each calendar and each rule: as fast as serializing the whole
 * document at once (opening holiday entries too costs a third more), and the largest piece of the bundled
 * pack, one calendar, is 49 KB of text (under a millisecond).
 */
export async function isCanonicalText(value: unknown, text: string, y: Yielder, depth = 2): Promise<boolean> {
  let at = 0;
  for (const piece of canonicalPieces(value, depth)) {
    if (!text.startsWith(piece, at)) return false;
    at += piece.length;
    if (y.due()) await y.pause();
  }
  return at === text.length;
}
