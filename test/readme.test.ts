import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Every command of the README's `sh` blocks that calls the CLI, continuation lines joined. */
function cliSnippets(): string[] {
  const text = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const commands: string[] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const cmd = line.trim();
      if (cmd.includes('npm run --silent tplus --')) commands.push(cmd);
    }
  }
  return commands;
}

describe('README snippets run', () => {
  const snippets = cliSnippets();

  it('finds the CLI snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
  });

  it.each(snippets)('%s', (cmd) => {
    const out = execFileSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TPLUS_TODAY: '2026-11-27' } });
    expect(out.length).toBeGreaterThan(0);
  });

  it('the first example prints what the README says it prints', () => {
    const first = snippets[0] ?? '';
    expect(execFileSync('bash', ['-c', first], { cwd: ROOT, encoding: 'utf8' })).toBe('2024-05-29\n');
  });
});
