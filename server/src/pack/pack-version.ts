import type { YAMLMap } from 'yaml';
import type { YamlReader } from './yaml-reader.js';

/** The `source` of a ruleset compiled from a local rule pack (the bundled one, or `--rules DIR`), not fetched from a registry. */
export const BUNDLED_SOURCE = 'bundled';

/** A pack's own version, declared once (`pack: { version: N }`), and where. */
export interface DeclaredVersion {
  readonly version: number;
  readonly file: string;
}

/**
 * Reads `pack: { version: N }` from one pack file's top mapping. The version is the pack's identity
 * wherever it is compiled locally (CLI, sidecar seeding), so it may be declared in one file only. A
 * registry ignores it: a published version is numbered by the registry.
 */
export function readPackVersion(r: YamlReader, top: YAMLMap, found: DeclaredVersion | null): DeclaredVersion | null {
  if (!r.has(top, 'pack')) return found;
  const pack = r.map(r.node(top, 'pack'), 'pack', ['version']);
  const version = pack && r.integer(pack, 'version', 'pack', 1, Number.MAX_SAFE_INTEGER);
  if (version === null || version === undefined) return found;
  if (found !== null) {
    r.error(r.node(top, 'pack'), 'pack.version', `the pack's version is already declared in ${found.file}`);
    return found;
  }
  return { version, file: r.file };
}
