/**
 * The code blocks of a markdown file (README.md, docs/*.md) and the output the text states for them: a ```text block whose preceding
 * prose ends with "prints:" (or "prints (…):") is what the nearest code block before it prints.
 * In a stated output a line `...` stands for any number of lines and `…` for any text within a line.
 * A block right after `<!-- not-run: REASON -->` is marked as not run by the tests (the prose says why).
 */
export interface ReadmeBlock {
  readonly lang: string;
  readonly body: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
  /** The stated output of this block, when the README gives one. */
  prints?: string;
  /** What the parentheses of "prints (…):" say, e.g. `exit 1`. */
  printsNote?: string;
  /** The reason of a `<!-- not-run: REASON -->` marker right before the block. */
  readonly notRun?: string;
}

/** A fenced block, also one indented inside a list item (its closing fence at the same indentation). */
const FENCE = /^( *)```(\w*)\n([\s\S]*?)^\1```$/gm;

/** The body of an indented block without the indentation of its fence. */
const dedent = (body: string, indent: string): string => (indent === '' ? body : body.replace(new RegExp(`^${indent}`, 'gm'), ''));

export function readmeBlocks(text: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  let end = 0;
  for (const m of text.matchAll(FENCE)) {
    const start = m.index;
    const prose = text.slice(end, start).trim();
    end = start + m[0].length;
    const notRun = /<!-- not-run: (.+?) -->$/.exec(prose)?.[1];
    const block: ReadmeBlock = {
      lang: m[2] ?? '',
      body: dedent(m[3] ?? '', m[1] ?? ''),
      line: text.slice(0, start).split('\n').length,
      ...(notRun === undefined ? {} : { notRun }),
    };
    const owner = blocks.at(-1);
    const prints = /prints(?: \(([^)]*)\))?:$/i.exec(prose);
    if (block.lang === 'text' && prints && owner !== undefined && owner.lang !== 'text') {
      owner.prints = block.body;
      if (prints[1] !== undefined) owner.printsNote = prints[1];
    } else blocks.push(block);
  }
  return blocks;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression matching exactly the outputs that `stated` describes. */
export function statedOutput(stated: string): RegExp {
  const lines = stated.replace(/\n$/, '').split('\n');
  const pattern = lines.map((l) => (l === '...' ? '(?:[^\\n]*\\n)*?' : `${l.split('…').map(escape).join('[^\\n]*?')}\\n`)).join('');
  return new RegExp(`^${pattern}$`);
}

/** The output as matched against a stated one: trailing blank lines dropped, one final newline. */
export const normalOutput = (out: string): string => `${out.replace(/\s+$/, '')}\n`;

/** The shell commands of a block that call the CLI, continuation lines joined. */
export function cliCommands(body: string): string[] {
  return body
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('npm run --silent tplus --'));
}
