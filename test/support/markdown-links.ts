/**
 * Relative links of markdown files and the anchors their headings define, as GitHub renders them:
 * enough to check that every `[text](path#anchor)` in our docs leads somewhere.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

export interface MarkdownLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
/** The text without fenced code blocks (a `#` line in a shell snippet is not a heading). */
const withoutFences = (text: string): string => text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, blank);
/** The text without fenced code blocks and inline code spans (links in code are not links). */
const withoutCode = (text: string): string => withoutFences(text).replace(/(`+)[^`\n][\s\S]*?\1/g, blank);

/** Every link target of `text` that is not absolute (http:, mailto:, ...), with its 1-based line. */
export function relativeLinks(file: string, text: string): MarkdownLink[] {
  const out: MarkdownLink[] = [];
  const prose = withoutCode(text);
  for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    out.push({ file, line: prose.slice(0, m.index).split('\n').length, target });
  }
  return out;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a markdown text defines: one per heading, repeats numbered -1, -2, ... as GitHub does. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const slug = headingSlug(m[1] ?? '');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Why `link` leads nowhere, or null when it resolves: the file (or directory) exists, and so does the anchor. */
export function brokenLink(root: string, link: MarkdownLink): string | null {
  const [path = '', anchor] = link.target.split('#', 2);
  const target = path === '' ? resolve(root, link.file) : resolve(root, dirname(link.file), decodeURIComponent(path));
  const where = `${link.file}:${link.line} → ${link.target}`;
  if (!existsSync(target)) return `${where}: no file ${relative(root, target)}`;
  if (anchor === undefined || anchor === '') return null;
  if (statSync(target).isDirectory() || !target.endsWith('.md')) return `${where}: an anchor on a file that is not markdown`;
  return anchors(readFileSync(target, 'utf8')).has(anchor) ? null : `${where}: no heading #${anchor} in ${relative(root, target)}`;
}
