import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Writes `dir/package-lock.json` pinning `names` and everything they depend on to the versions (and
 * integrity hashes) of this repository's package-lock.json. `npm install --offline` in `dir` then needs
 * only the package tarballs, which `npm ci` here has put in the npm cache; without a lockfile it would
 * also need the registry's metadata documents, which `npm ci` does not cache (ENOTCACHED). `root` is the
 * lockfile's root entry (what the project's package.json declares).
 */
export function seedLockfile(dir: string, names: readonly string[], root: Readonly<Record<string, unknown>> = {}): void {
  const repoLock = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry | undefined>;
  };
  const packages: Record<string, unknown> = { '': root };
  const queue: [string, string][] = names.map((n) => ['', n]);
  for (let steps = 0; queue.length > 0 && steps < 2_000; steps++) {
    const [from, name] = queue.shift() as [string, string];
    const key = locate(repoLock.packages, from, name);
    const entry = repoLock.packages[key] as LockEntry;
    if (key in packages) continue;
    const { version, integrity, dependencies, hasInstallScript } = entry;
    packages[key] = { version, integrity, dependencies, hasInstallScript };
    for (const dep of Object.keys(dependencies ?? {})) queue.push([key, dep]);
  }
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
}

interface LockEntry {
  readonly version: string;
  readonly integrity: string;
  readonly dependencies?: Record<string, string>;
  readonly hasInstallScript?: boolean;
}

/** Where Node would find `name` from the package installed at `from` ('' = the root), as a lockfile key. */
function locate(packages: Record<string, LockEntry | undefined>, from: string, name: string): string {
  for (let at = from; ; at = at.includes('/node_modules/') ? at.slice(0, at.lastIndexOf('/node_modules/')) : '') {
    const key = `${at === '' ? '' : `${at}/`}node_modules/${name}`;
    if (packages[key] !== undefined) return key;
    if (at === '') throw new Error(`${name} (needed by ${from || 'the root'}) is not in package-lock.json`);
  }
}
