// The README's snippets run, and each prints what the README says it prints: the stated outputs are
// parsed from the README itself (a "prints:" text block after the snippet), so text and test cannot drift.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reap, spawnSidecar } from './integration/sidecar-process.js';
import { cliCommands, normalOutput, readmeBlocks, statedOutput, type ReadmeBlock } from './support/readme-snippets.js';

const ROOT = resolve(import.meta.dirname, '..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const blocks = readmeBlocks(README);
const section = (title: string): ReadmeBlock[] => {
  const from = README.indexOf(`\n## ${title}`);
  const to = README.indexOf('\n## ', from + 1);
  const [a, b] = [README.slice(0, from).split('\n').length, to < 0 ? Infinity : README.slice(0, to).split('\n').length];
  return blocks.filter((x) => x.line > a && x.line < b);
};
const stated = (b: ReadmeBlock | undefined): string => {
  if (b?.prints === undefined) throw new Error(`README block at line ${b?.line ?? '?'} states no output ("prints:" text block after it)`);
  return b.prints;
};
const cliBlocks = blocks.filter((b) => b.lang === 'sh' && cliCommands(b.body).length > 0);

describe('README: the stated outputs are read from the README', () => {
  it('finds the CLI snippets, one command each, each with the output it prints', () => {
    expect(cliBlocks.length).toBeGreaterThanOrEqual(9);
    for (const b of cliBlocks) {
      expect(cliCommands(b.body), `line ${b.line}`).toHaveLength(1);
      expect(b.prints, `the snippet at README line ${b.line} has no "prints:" block`).toBeDefined();
    }
  });

  it('states the outputs the issue names: 2024-05-29, the flagged double settlement day, "none" for the identical packs, the installed versions', () => {
    const byCommand = (part: string): string => stated(cliBlocks.find((b) => b.body.includes(part)));
    expect(byCommand('--trade-date 2024-05-24\n')).toBe('2024-05-29\n');
    expect(byCommand('rules transition')).toMatch(/2024-05-24 {2}FRI {2}2024-05-29 .*DOUBLE SETTLEMENT DAY[\s\S]*2024-05-28 {2}TUE {2}2024-05-29 .*DOUBLE SETTLEMENT DAY/);
    expect(byCommand('rules diff server/rules server/rules')).toBe('no trade date gets a different answer (server/rules → server/rules)\n');
    const walkthrough = stated(section('Usage: the registry and a fleet').find((b) => b.lang === 'bash'));
    expect(walkthrough).toContain('"event":"snapshot_installed","version":1\n"event":"snapshot_installed","version":2\n');
  });

  it('the comparison can fail: a wrong stated date, a missing line or an extra one does not match', () => {
    expect(normalOutput('2024-05-29\n')).toMatch(statedOutput('2024-05-29\n'));
    expect(normalOutput('2024-05-28\n')).not.toMatch(statedOutput('2024-05-29\n'));
    expect(normalOutput('a\nb\n')).not.toMatch(statedOutput('a\n'));
    expect(normalOutput('a\nx\ny\nb\n')).toMatch(statedOutput('a\n...\nb\n'));
    expect(normalOutput('a\nx\n')).not.toMatch(statedOutput('a\n...\nb\n'));
    expect(normalOutput('sha256 e4ed9b\n')).toMatch(statedOutput('sha256 …\n'));
  });
});

describe('README: every CLI snippet prints what the README says', () => {
  it.each(cliBlocks.map((b) => [cliCommands(b.body)[0] as string, b] as const))('%s', (cmd, b) => {
    const out = execFileSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TPLUS_TODAY: '2026-11-27' }, timeout: 120_000 });
    expect(normalOutput(out)).toMatch(statedOutput(stated(b)));
  }, 130_000);
});

describe('README: the Node snippet calls a real sidecar', () => {
  it('prints what the README says it prints', async () => {
    const js = section('Usage: the sidecar').find((b) => b.lang === 'js');
    expect(js).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'tplus-readme-'));
    const sidecar = spawnSidecar(['--data-dir', dir, '--listen', '127.0.0.1:0', '--metrics-listen', 'off', '--socket', 'off']);
    try {
      const listening = await sidecar.waitFor('listening', (l) => l['transport'] === 'tcp');
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', js?.body ?? ''], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TPLUS_ADDRESS: String(listening['address']) },
        timeout: 20_000,
      });
      expect(normalOutput(out)).toMatch(statedOutput(stated(js)));
    } finally {
      reap(sidecar);
      await sidecar.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('README: the registry and fleet walkthrough runs', () => {
  it('publishes twice, the diff names the moved trade, and the following sidecar installs both versions, as the README states', () => {
    const script = section('Usage: the registry and a fleet').find((b) => b.lang === 'bash');
    const out = execFileSync('bash', ['-e', '-c', script?.body ?? ''], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
    expect(normalOutput(out)).toMatch(statedOutput(stated(script)));
  }, 120_000);
});
