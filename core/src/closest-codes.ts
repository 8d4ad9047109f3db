/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, so XNSY → XNYS is one
 * edit), stopping early once every cell of a row passes `max`. Codes are short; only called on the
 * NO_RULE and explain paths, never for a decided trade.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    [before, prev] = [prev, row];
  }
  return prev[b.length] ?? max + 1;
}

/** At most this many suggestions in a hint. */
export const MAX_SUGGESTIONS = 3;

/**
 * The known codes closest to `asked`: a case-insensitive exact match alone if there is one (codes are
 * upper case), else those at the smallest distance found within max(2, a third of its length, at most
 * 3) edits (XNSY → XNYS alone, not every market two edits away), alphabetical, at most MAX_SUGGESTIONS.
 */
export function closestCodes(asked: string, known: Iterable<string>): string[] {
  const upper = asked.toUpperCase();
  const max = Math.min(3, Math.max(2, Math.floor(asked.length / 3)));
  const near: { code: string; d: number }[] = [];
  for (const code of known) {
    if (code === asked) continue;
    if (code.toUpperCase() === upper) return [code];
    const d = editDistance(upper, code.toUpperCase(), max);
    if (d <= max) near.push({ code, d });
  }
  const nearest = Math.min(...near.map((n) => n.d));
  return near
    .filter((n) => n.d === nearest)
    .map((n) => n.code)
    .sort()
    .slice(0, MAX_SUGGESTIONS);
}
