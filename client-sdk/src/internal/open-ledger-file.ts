import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { LedgerError } from '../ledger-error.js';
import type { TornTail } from '../ledger-events.js';
import { parseLedgerLine, type LedgerLine } from './ledger-line.js';

export interface OpenedLedgerFile {
  readonly lines: LedgerLine[];
  /** Bytes of complete lines: the file's size after any torn tail was cut off. */
  readonly size: number;
  readonly torn: TornTail | null;
}

const NEWLINE = 0x0a;

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (e) {
    // Not there yet (or its directory is not one): start empty; the writer reports what fails later.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Runs `fn` on a descriptor of `path` opened with `flags`, fsyncs, closes. */
function durably(path: string, flags: string, fn: (fd: number) => void): void {
  const fd = openSync(path, flags);
  try {
    fn(fd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a JSON Lines ledger for replay. A torn last line (a crash mid-append: bytes after the last
 * newline, or a last line that does not parse) is appended to `<path>.torn`, then cut off the ledger so
 * the next append starts on a line of its own. A bad line anywhere else throws LEDGER_CORRUPT naming
 * file:line, and nothing is changed.
 */
export function openLedgerFile(path: string): OpenedLedgerFile {
  const buf = readOrNull(path);
  if (buf === null || buf.length === 0) return { lines: [], size: 0, torn: null };
  const lines: LedgerLine[] = [];
  let bad: { line: number; offset: number; why: string } | null = null;
  let tornFrom: { line: number; offset: number } | null = null;
  let start = 0;
  for (let lineNo = 1; start < buf.length; lineNo++) {
    const nl = buf.indexOf(NEWLINE, start);
    if (bad) throw new LedgerError('LEDGER_CORRUPT', `${path}:${bad.line}: ${bad.why}`);
    if (nl === -1) {
      tornFrom = { line: lineNo, offset: start };
      break;
    }
    const text = buf.toString('utf8', start, nl);
    if (text.trim() !== '') {
      const parsed = parseLedgerLine(text);
      if (parsed === 'json') bad = { line: lineNo, offset: start, why: 'not a JSON line' };
      else if (parsed === 'shape') bad = { line: lineNo, offset: start, why: 'not a ledger record' };
      else lines.push(parsed);
    }
    start = nl + 1;
  }
  tornFrom = bad ?? tornFrom;
  if (tornFrom === null) return { lines, size: buf.length, torn: null };

  const bytes = buf.subarray(tornFrom.offset);
  const tornPath = `${path}.torn`;
  // Keep the bytes first (appended, never overwritten), then cut them off the ledger.
  durably(tornPath, 'a', (fd) => writeSync(fd, bytes.at(-1) === NEWLINE ? bytes : Buffer.concat([bytes, Buffer.from('\n')])));
  durably(path, 'r+', (fd) => ftruncateSync(fd, tornFrom.offset));
  const torn: TornTail = { tornPath, line: tornFrom.line, offset: tornFrom.offset, bytes: bytes.length };
  process.emitWarning(`${path}:${torn.line}: cut off a torn last line (${torn.bytes} bytes, kept in ${tornPath})`, {
    code: 'TPLUS_LEDGER_TORN_LINE',
  });
  return { lines, size: tornFrom.offset, torn };
}
