import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A tool the deploy tests need (promtool, prometheus): found, or skipped locally, or failing in CI. */
export interface RequiredBinary {
  readonly name: string;
  /** Absolute path, or null when not installed. */
  readonly path: string | null;
  /** True only when it is missing and CI is not set: then the tests are skipped. */
  readonly skip: boolean;
  readonly missingMessage: string;
}

const INSTALL = 'apt-get install -y --no-install-recommends prometheus (Debian package: promtool and prometheus)';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Is this a CI run? Any non-empty CI value except "false"/"0" counts (GitHub, GitLab, .ci/run set CI=true). */
export function inCi(): boolean {
  const ci = (process.env['CI'] ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

/** Looks `name` up on PATH, or takes the path in env var `override` (e.g. PROMTOOL=/opt/bin/promtool). */
export function requiredBinary(name: string, override: string): RequiredBinary {
  const explicit = process.env[override];
  const candidates = explicit
    ? [explicit]
    : (process.env['PATH'] ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  const path = candidates.find(isExecutable) ?? null;
  const missingMessage = `${name} not found on PATH (or in $${override}); install it with: ${INSTALL}`;
  const skip = path === null && !inCi();
  if (skip) console.warn(`SKIPPING ${name} tests: ${missingMessage}. In CI (CI set) these tests fail instead.`);
  return { name, path, skip, missingMessage };
}

/** The binary's path; throws (fails the test) when it is missing, which only happens to run in CI. */
export function pathOf(binary: RequiredBinary): string {
  if (binary.path === null) throw new Error(`${binary.missingMessage}. CI is set, so this is a failure, not a skip.`);
  return binary.path;
}
