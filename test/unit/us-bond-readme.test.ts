import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommands, normalOutput, readmeBlocks, statedOutput } from '../support/readme-snippets.js';

// The CLI snippets of server/rules/README.md's "US fixed income (XOFF)" section print what it says.
const ROOT = resolve(import.meta.dirname, '../..');
const TEXT = readFileSync(resolve(ROOT, 'server/rules/README.md'), 'utf8');
const FROM = TEXT.split('\n').findIndex((l) => l === '## US fixed income (XOFF)') + 1;
const snippets = readmeBlocks(TEXT).filter((b) => b.line > FROM && b.lang === 'sh' && cliCommands(b.body).length > 0);

describe('server/rules/README.md: US fixed income snippets', () => {
  it('has the cutover snippet, with the output it prints', () => {
    expect(FROM).toBeGreaterThan(0);
    expect(snippets.map((b) => cliCommands(b.body)[0])).toEqual([
      'npm run --silent tplus -- rules transition --market XOFF --asset-class US_MUNI_BOND --around 2024-05-28 --days 4',
    ]);
    expect(snippets[0]?.prints).toMatch(/DOUBLE SETTLEMENT DAY/);
  });

  it.each(snippets.map((b) => [cliCommands(b.body)[0] ?? '', b.prints ?? ''] as const))(
    '%s',
    (cmd, prints) => {
      const out = execFileSync('bash', ['-o', 'pipefail', '-c', cmd], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TPLUS_TODAY: '2026-11-27' },
        timeout: 120_000,
      });
      expect(normalOutput(out)).toMatch(statedOutput(prints));
    },
    130_000,
  );
});
