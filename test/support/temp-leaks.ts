/**
 * Temp directories the tests leave behind. Every test run gets a private temp directory (TMPDIR, so
 * os.tmpdir() in tests and in every child process, and bash's mktemp, land there); at the end, any entry
 * in it whose name starts with one of OUR_TEMP_PREFIXES is a leak and fails the run. Entries with other
 * names (a tool's own cache) are ignored, and other processes' temp files are never in that directory.
 */
import { readdirSync } from 'node:fs';

/** The one table of temp-name prefixes this project creates: mkdtemp in tests, tools and servers, and bash mktemp. */
export const OUR_TEMP_PREFIXES = [
  /** Every mkdtemp of the tests, the servers (tplus-registry-pack-), drills and benches. */
  'tplus-',
  /** `mktemp -d` in the doc snippets (docs/registry.md). */
  'tmp.',
] as const;

/** Entries of `dir` with one of our prefixes, sorted. */
export function ourTempEntries(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => OUR_TEMP_PREFIXES.some((p) => name.startsWith(p)))
    .sort();
}
