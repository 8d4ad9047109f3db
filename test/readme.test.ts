// The snippets of README.md, CONTRIBUTING.md and docs/*.md run, and each prints what the text says it
// prints: the stated outputs are parsed from the docs themselves (a "prints:" text block after the
// snippet), so text and test cannot drift. A block that is neither run nor a ```text block fails here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reap, spawnSidecar } from './integration/sidecar-process.js';
import { cliCommands, normalOutput, readmeBlocks, statedOutput, type ReadmeBlock } from './support/readme-snippets.js';

const ROOT = resolve(import.meta.dirname, '..');
/** docs/runbooks.md is run by test/runbooks.test.ts, against a sidecar that follows a registry. */
const RUN_ELSEWHERE = new Set(['runbooks.md']);
const DOC_FILES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(resolve(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md') && !RUN_ELSEWHERE.has(f))
    .sort()
    .map((f) => `docs/${f}`),
];

interface DocBlock extends ReadmeBlock {
  readonly file: string;
}
const blocks: DocBlock[] = DOC_FILES.flatMap((file) =>
  readmeBlocks(readFileSync(resolve(ROOT, file), 'utf8')).map((b) => ({ ...b, file })),
);
const where = (b: DocBlock): string => `${b.file}:${b.line}`;
const firstLine = (b: DocBlock): string => b.body.split('\n')[0] ?? '';

/** Blocks deliberately not run, by file and first line, each with the reason. */
const NOT_RUN: Readonly<Record<string, string>> = {
  'README.md npm ci && npm start     # serves decisions from the bundled rule pack':
    'the two commands: `npm test` is how this suite runs, and `npm start` (bin/tplus serve) is the sidecar every snippet below is checked against',
  'docs/rollout.md npm run --silent tplus -- drill canary-rollout --report drill-report':
    'four sidecars and a registry for about 20 s under a 250 ms latency bound, too slow and too timing-bound for this suite: test/drills/canary-rollout-drill.test.ts runs the same command (2 s, 1 s deadline) to PASS and, sabotaged, to FAIL',
};
const notRunKey = (b: DocBlock): string => `${b.file} ${firstLine(b)}`;

type Kind = 'cli' | 'script' | 'node' | 'output' | 'unrun';
function kind(b: DocBlock): Kind {
  if (b.lang === 'text') return 'output';
  if (b.lang === 'sh' && cliCommands(b.body).length > 0 && b.prints !== undefined) return 'cli';
  if (b.lang === 'bash' && b.prints !== undefined) return 'script';
  if (b.lang === 'js' && b.prints !== undefined) return 'node';
  return 'unrun';
}
const ofKind = (k: Kind): DocBlock[] => blocks.filter((b) => kind(b) === k);
const stated = (b: DocBlock | undefined): string => {
  if (b?.prints === undefined) throw new Error(`the block at ${b ? where(b) : '?'} states no output ("prints:" text block after it)`);
  return b.prints;
};
const cliBlocks = ofKind('cli');

describe('docs: the stated outputs are read from the docs', () => {
  it('every code block is run by a test below, is a ```text block, or is listed as not run with its reason', () => {
    const unrun = blocks
      .filter((b) => kind(b) === 'unrun' && NOT_RUN[notRunKey(b)] === undefined)
      .map((b) => `${where(b)} (${b.lang || 'no language'}): ${firstLine(b)}`);
    expect(unrun).toEqual([]);
    const listed = new Set(blocks.filter((b) => kind(b) === 'unrun').map(notRunKey));
    expect(
      Object.keys(NOT_RUN).filter((k) => !listed.has(k)),
      'entries of NOT_RUN that match no block',
    ).toEqual([]);
  });

  it('finds the CLI snippets, one command each, and the walkthrough and Node snippets, in the files that hold them', () => {
    expect(cliBlocks.length).toBeGreaterThanOrEqual(13);
    for (const b of cliBlocks) expect(cliCommands(b.body), where(b)).toHaveLength(1);
    expect(new Set(cliBlocks.map((b) => b.file))).toEqual(new Set(['README.md', 'docs/cli.md', 'docs/drills.md']));
    expect(ofKind('script').map((b) => b.file)).toEqual([
      'docs/registry.md',
      'docs/registry.md',
      'docs/registry.md',
      'docs/registry.md',
      'docs/rollout.md',
      'docs/sidecar.md',
    ]);
    expect(ofKind('node').map((b) => b.file)).toEqual(['docs/sidecar.md']);
  });

  it('states the outputs the issue names: 2024-05-29, the flagged double settlement day, "none" for the identical packs, the installed versions', () => {
    const byCommand = (part: string): string => stated(cliBlocks.find((b) => b.body.includes(part)));
    expect(byCommand('--trade-date 2024-05-24\n')).toBe('2024-05-29\n');
    expect(byCommand('rules transition')).toMatch(
      /2024-05-24 {2}FRI {2}2024-05-29 .*DOUBLE SETTLEMENT DAY[\s\S]*2024-05-28 {2}TUE {2}2024-05-29 .*DOUBLE SETTLEMENT DAY/,
    );
    expect(byCommand('rules diff server/rules server/rules')).toBe('no trade date gets a different answer (server/rules → server/rules)\n');
    expect(stated(ofKind('script')[0])).toContain('"event":"snapshot_installed","version":1\n"event":"snapshot_installed","version":2\n');
    expect(stated(ofKind('script').find((b) => b.file === 'docs/sidecar.md'))).toContain('--listen 127.0.0.1:50473 is already in use');
  });

  it('the fleet walkthrough shows the answer it claims: the following sidecar settles the 2030-03-12 trade on 2030-03-14 from version 2', () => {
    const script = ofKind('script')[0];
    const asks = cliCommands(script?.body ?? '').filter((c) => c.includes(' settle ') && c.includes('--sidecar 127.0.0.1:50151'));
    expect(asks.map((c) => c.match(/--ruleset-version (\d+)/)?.[1])).toEqual(['1', '2']);
    expect(asks.every((c) => c.includes('--trade-date 2030-03-12'))).toBe(true);
    expect(stated(script)).toMatch(/\n2030-03-13\n2030-03-14\n/);
  });

  it('the comparison can fail: a wrong stated date, a missing line or an extra one does not match', () => {
    expect(normalOutput('2024-05-29\n')).toMatch(statedOutput('2024-05-29\n'));
    expect(normalOutput('2024-05-28\n')).not.toMatch(statedOutput('2024-05-29\n'));
    expect(normalOutput('a\nb\n')).not.toMatch(statedOutput('a\n'));
    expect(normalOutput('a\nx\ny\nb\n')).toMatch(statedOutput('a\n...\nb\n'));
    expect(normalOutput('a\nx\n')).not.toMatch(statedOutput('a\n...\nb\n'));
    expect(normalOutput('sha256 e4ed9b\n')).toMatch(statedOutput('sha256 …\n'));
  });

  it('the coverage check can fail: a shell block without a stated output is not run', () => {
    const [b] = readmeBlocks('```sh\nnpm run --silent tplus -- settle --help\n```\n');
    expect(b && kind({ ...b, file: 'x.md' })).toBe('unrun');
  });
});

describe('docs: every CLI snippet prints what the text says', () => {
  it.each(cliBlocks.map((b) => [`${where(b)} ${cliCommands(b.body)[0] ?? ''}`, b] as const))(
    '%s',
    (_, b) => {
      const cmd = cliCommands(b.body)[0] ?? '';
      const out = execFileSync('bash', ['-o', 'pipefail', '-c', cmd], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TPLUS_TODAY: '2026-11-27' },
        timeout: 120_000,
      });
      expect(normalOutput(out)).toMatch(statedOutput(stated(b)));
    },
    130_000,
  );
});

describe('docs: the Node snippets call a real sidecar', () => {
  it.each(ofKind('node').map((b) => [where(b), b] as const))('%s prints what the text says it prints', async (_, js) => {
    const dir = mkdtempSync(join(tmpdir(), 'tplus-readme-'));
    const sidecar = spawnSidecar(['--data-dir', dir, '--listen', '127.0.0.1:0', '--metrics-listen', 'off', '--socket', 'off']);
    try {
      const listening = await sidecar.waitFor('listening', (l) => l['transport'] === 'tcp');
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', js.body], {
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

describe('docs: the walkthroughs run (a fleet; four-eyes; key rotation; the registry highly available on etcd; a second sidecar next to a first)', () => {
  it.each(ofKind('script').map((b) => [where(b), b] as const))(
    '%s runs real processes and prints what the text states',
    (_, script) => {
      const out = execFileSync('bash', ['-e', '-c', script.body], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
      expect(normalOutput(out)).toMatch(statedOutput(stated(script)));
    },
    120_000,
  );
});
