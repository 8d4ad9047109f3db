/**
 * vitest globalSetup: runs the tests with a private temp directory and fails the run (exit code 1, the
 * list on stderr) when a test leaves one of our temp entries in it. See temp-leaks.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ourTempEntries } from './temp-leaks.js';

/** Set while a run owns its temp directory (a vitest started by a test must not inherit it: see temp-leak-check.test.ts). */
export const MARK = 'TPLUS_TEST_RUN_TMPDIR';

export default function setup(): () => void {
  // Projects that extend the root config run this too: the first one owns the directory.
  if (process.env[MARK] !== undefined) return () => undefined;
  const previous = process.env['TMPDIR'];
  const run = mkdtempSync(join(tmpdir(), 'tplus-test-run-'));
  process.env[MARK] = run;
  process.env['TMPDIR'] = run;
  return () => {
    const left = ourTempEntries(run);
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    delete process.env[MARK];
    rmSync(run, { recursive: true, force: true });
    if (left.length > 0) {
      process.stderr.write(
        `\ntests left ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} behind (removed now):\n${left.map((n) => `  ${n}`).join('\n')}\n`,
      );
      process.exitCode = 1;
    }
  };
}
