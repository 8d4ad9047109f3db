/** Levenshtein distance, bounded: stops counting past `max` (flag names are short). */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/** The closest known name within a third of its length (at least 1, at most 3 edits), or null. */
export function didYouMean(name: string, known: readonly string[]): string | null {
  const max = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | null = null;
  let bestDistance = max + 1;
  for (const candidate of known) {
    const d = distance(name, candidate, max);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
