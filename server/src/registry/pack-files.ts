import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { PackFileMessage } from './registry-wire.js';

/** Every *.yaml/*.yml file under `dir`, sorted, as PublishRequest.files (paths relative to `dir`). */
export function packFiles(dir: string, root = dir): PackFileMessage[] {
  const out: PackFileMessage[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...packFiles(full, root));
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push({ path: relative(root, full), content: readFileSync(full) });
  }
  return out;
}
