import { Ruleset } from '@tplus/core';
import { compilePack } from '../pack/index.js';
import { formatProblem } from '../pack/index.js';
import type { CliIo } from './cli-io.js';

/** A rule pack that does not compile: its problems were already written to stderr. Exit 1. */
export class InvalidPackError extends Error {
  override readonly name = 'InvalidPackError';
}

/** Compiles a rule pack into a Ruleset (version 0: not published), or reports every error. */
export function loadRuleset(dir: string, io: CliIo): Ruleset {
  const pack = compilePack(dir, { today: io.today });
  if (!pack.document || !pack.hash) {
    const errors = pack.problems.filter((p) => p.severity === 'error');
    for (const p of errors) io.stderr.write(`${formatProblem(p)}\n`);
    throw new InvalidPackError(`rule pack ${dir} has ${errors.length} error(s)`);
  }
  return new Ruleset(pack.document, { version: 0, hash: pack.hash });
}
