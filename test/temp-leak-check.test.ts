/**
 * Issue 18 item 7: a test that leaves a temp directory behind fails the run. Runs vitest on two
 * fixtures with the same globalSetup as the suite: the leaking one exits 1 naming the directory, the
 * clean one exits 0 (an entry that is not ours, not-ours-*, is tolerated). And every temp prefix the
 * sources use is in the one table, so the check sees it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARK } from './support/temp-leak-setup.js';
import { OUR_TEMP_PREFIXES } from './support/temp-leaks.js';

const ROOT = resolve(import.meta.dirname, '..');
const VITEST = resolve(ROOT, 'node_modules/vitest/vitest.mjs');
const CONFIG = 'test/support/temp-leak-fixtures/vitest.config.ts';

function runFixture(name: string): { status: number | null; out: string } {
  // Its own run of the check, inside this run's temp directory: not this run's marker.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== MARK));
  const r = spawnSync(process.execPath, [VITEST, 'run', '--config', CONFIG, name], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'generated') return [];
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|mjs|md)$/.test(name) ? [full] : [];
  });
}

describe('the temp-directory leak check', () => {
  it('fails the run and names what a test left behind', () => {
    const r = runFixture('leaks');
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(/tests left 1 temp entry behind \(removed now\):\n {2}tplus-leak-demo-\w{6}\n/);
  });

  it('passes a run that removes what it creates, whatever else is in the temp directory', () => {
    const r = runFixture('cleans-up');
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toContain('temp entr');
  });

  it('knows every temp prefix the sources use in the temp directory', () => {
    const prefixes = sourceFiles(ROOT)
      .filter((f) => !f.includes('temp-leak-fixtures'))
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/(?:mkdtempSync\(join\((?:tmpdir\(\)|cleanBase\(\)),\s*|tempDir\()'([^']+)'/g)].map(
          (m) => m[1] ?? '',
        ),
      );
    expect(prefixes.length).toBeGreaterThan(20);
    expect(prefixes.filter((p) => !OUR_TEMP_PREFIXES.some((ours) => p.startsWith(ours)))).toEqual([]);
  });
});
