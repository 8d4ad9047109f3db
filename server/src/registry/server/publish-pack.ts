import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, isAbsolute, sep } from 'node:path';
import type { DayNumber } from '@tplus/core';
import type { RulesetDocument } from '@tplus/core';
import { compilePack } from '../../pack/index.js';
import { formatProblem } from '../../pack/index.js';
import { canonicalJson } from '@tplus/core';
import { RegistryError } from './registry-error.js';

export interface UploadedFile {
  readonly path: string;
  readonly content: Buffer;
}

export interface CompiledUpload {
  readonly document: RulesetDocument;
  /** Canonical JSON bytes of the document: what is hashed, signed, stored and shipped. */
  readonly canonical: Buffer;
  readonly warnings: readonly string[];
}

const MAX_FILES = 10_000;

function safePath(path: string): string {
  const clean = normalize(path);
  if (path === '' || isAbsolute(path) || clean.startsWith(`..${sep}`) || clean === '..' || path.includes('\0')) {
    throw new RegistryError('INVALID_ARGUMENT', `pack file path ${JSON.stringify(path)} must be relative and inside the pack`, {
      field: 'files.path',
    });
  }
  return clean;
}

/** The folder of the registry's data directory that uploads are compiled in. */
export const UPLOAD_SCRATCH_DIR = 'upload-scratch';

/**
 * Empties (or creates) `dataDir`/upload-scratch at start: a registry killed in the middle of a publish
 * leaves its upload there, in its own data directory, never in the system temp directory.
 */
export function clearUploadScratch(dataDir: string): string {
  const scratch = join(dataDir, UPLOAD_SCRATCH_DIR);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  return scratch;
}

/**
 * Compiles an uploaded pack exactly as `tplus rules validate` does (in a private directory under
 * `scratchDir`, always removed). Any compile error → INVALID_PACK listing every problem.
 */
export function compileUpload(files: readonly UploadedFile[], today: DayNumber, scratchDir: string): CompiledUpload {
  if (files.length === 0) throw new RegistryError('INVALID_ARGUMENT', 'the pack has no files', { field: 'files' });
  if (files.length > MAX_FILES)
    throw new RegistryError('INVALID_ARGUMENT', `the pack has more than ${MAX_FILES} files`, { field: 'files' });
  const dir = mkdtempSync(join(scratchDir, 'pack-'));
  try {
    const seen = new Set<string>();
    for (const f of files) {
      const clean = safePath(f.path);
      if (seen.has(clean))
        throw new RegistryError('INVALID_ARGUMENT', `pack file ${JSON.stringify(f.path)} appears twice`, { field: 'files.path' });
      seen.add(clean);
      const target = join(dir, clean);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content, { flag: 'wx' });
    }
    const pack = compilePack(dir, { today });
    const strip = (text: string): string => text.split(`${dir}${sep}`).join('');
    const errors = pack.problems.filter((p) => p.severity === 'error').map((p) => strip(formatProblem(p)));
    if (pack.document === null || errors.length > 0) {
      throw new RegistryError('INVALID_PACK', `the rule pack has ${errors.length} error(s):\n${errors.join('\n')}`, {
        errors: String(errors.length),
      });
    }
    const warnings = pack.problems.filter((p) => p.severity === 'warning').map((p) => strip(formatProblem(p)));
    return { document: pack.document, canonical: Buffer.from(canonicalJson(pack.document), 'utf8'), warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
