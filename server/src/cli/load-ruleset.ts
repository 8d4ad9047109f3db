import { Ruleset } from '@tplus/core';
import { compilePack } from '../pack/index.js';
import { formatProblem } from '../pack/index.js';
import type { CliIo } from './cli-io.js';

/** A rule pack that does not compile: its problems were already written to stderr. Exit 1. */
export class InvalidPackError extends Error {
  override readonly name = 'InvalidPackError';
}

/**
 * Compiles a rule pack into a Ruleset, or reports every error. Its version is the one the pack declares
 * (`pack: { version: N }`), as a sidecar seeded from it numbers it; 0 for a pack that declares none.
 */
export function loadRuleset(dir: string, io: CliIo): Ruleset {
  const pack = compilePack(dir, { today: io.today });
  if (!pack.document || !pack.hash) {
    const errors = pack.problems.filter((p) => p.severity === 'error');
    for (const p of errors) io.stderr.write(`${formatProblem(p)}\n`);
    throw new InvalidPackError(`rule pack ${dir} has ${errors.length} error(s)`);
  }
  return new Ruleset(pack.document, { version: pack.version ?? 0, hash: pack.hash });
}
