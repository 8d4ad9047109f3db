// Every relative link in the docs leads to a file that exists, and every #anchor to a heading in it,
// so moving or renaming a section cannot leave a dangling link behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, brokenLink, headingSlug, relativeLinks } from './support/markdown-links.js';

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(resolve(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
  'client-sdk/README.md',
  'server/rules/README.md',
  'bench/README.md',
  'deploy/README.md',
  'examples/trade-capture/README.md',
];

describe('markdown links resolve', () => {
  it.each(DOCS)('%s: every relative link and anchor resolves', (file) => {
    const links = relativeLinks(file, readFileSync(resolve(ROOT, file), 'utf8'));
    const broken = links.map((l) => brokenLink(ROOT, l)).filter((b) => b !== null);
    expect(broken).toEqual([]);
  });

  it('the docs link to each other: README reaches every page of docs/ and CONTRIBUTING.md', () => {
    const targets = new Set(
      relativeLinks('README.md', readFileSync(resolve(ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]),
    );
    const pages = DOCS.filter((f) => f.startsWith('docs/') || f === 'CONTRIBUTING.md');
    expect(pages.filter((p) => !targets.has(p))).toEqual([]);
  });

  it('the check can fail: a missing file, a missing anchor and an anchor GitHub would number are told apart', () => {
    const text = '# Errors\n\n## Errors\n\n[a](nope.md) [b](#errors-1) [c](#errors-2) [d](https://example.com/x) `[e](in-code.md)`\n';
    expect([...anchors(text)]).toEqual(['errors', 'errors-1']);
    expect(headingSlug('Usage: the `tplus` command line')).toBe('usage-the-tplus-command-line');
    expect(headingSlug('Rule packs: `rules validate` and `rules diff`')).toBe('rule-packs-rules-validate-and-rules-diff');
    const links = relativeLinks('README.md', text);
    expect(links.map((l) => l.target)).toEqual(['nope.md', '#errors-1', '#errors-2']);
    expect(brokenLink(ROOT, links[0] ?? { file: '', line: 0, target: '' })).toMatch(/no file nope\.md/);
    expect(brokenLink(ROOT, { file: 'README.md', line: 1, target: 'docs/sidecar.md#no-such-section' })).toMatch(
      /no heading #no-such-section/,
    );
    expect(brokenLink(ROOT, { file: 'README.md', line: 1, target: 'docs/sidecar.md#errors' })).toBeNull();
  });
});

describe('docs/architecture.md names files that exist', () => {
  // Paths there are written from the repository root, or from server/src/, client-sdk/src/ or core/src/.
  const BASES = ['', 'server/src', 'client-sdk/src', 'core/src'];
  const text = readFileSync(resolve(ROOT, 'docs/architecture.md'), 'utf8');
  const paths = [...new Set([...text.matchAll(/`([\w./-]+\/[\w./-]*)`/g)].map((m) => m[1] ?? ''))].filter((p) =>
    /\.(ts|md|proto|cjs|yaml)$|\/$/.test(p),
  );

  it('every file or folder it names in code is in the tree', () => {
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((p) => !BASES.some((b) => existsSync(resolve(ROOT, b, p))))).toEqual([]);
  });
});
