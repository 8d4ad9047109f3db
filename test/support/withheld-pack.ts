import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDay, Ruleset } from '@tplus/core';
import { compilePack } from '../../server/src/pack/compile-pack.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { RULES_DIR, TODAY } from './bundled.js';

export const WITHHELD_DIR = resolve(RULES_DIR, '../rules-withheld');

/**
 * The bundled pack plus every withheld file (server/rules-withheld/, README aside) in a temp dir,
 * compiled: the markets that must not ship yet, kept tested against the pack they would join.
 * `remove()` deletes the dir.
 */
export function withheldPack(): {
  readonly path: string;
  readonly ruleset: Ruleset;
  /** Whether `date` is a business day of calendar `id` (which must exist). */
  isBusiness(id: string, date: string): boolean;
  remove(): void;
} {
  const dir = tempDir('tplus-withheld-');
  cpSync(RULES_DIR, dir.path, { recursive: true });
  cpSync(WITHHELD_DIR, dir.path, { recursive: true, filter: (src) => !src.endsWith('README.md') });
  const pack = compilePack(dir.path, { today: TODAY });
  if (!pack.document || !pack.hash) {
    dir.remove();
    throw new Error(pack.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
  }
  const ruleset = new Ruleset(pack.document, { version: 0, hash: pack.hash });
  const isBusiness = (id: string, date: string): boolean => {
    const cal = ruleset.calendars.get(id);
    if (!cal) throw new Error(`no calendar ${id}`);
    return cal.isBusinessDay(parseDay(date));
  };
  return { path: dir.path, ruleset, isBusiness, remove: () => dir.remove() };
}
