import { resolve } from 'node:path';
import { DecisionError } from '@tplus/core';
import { parseDay } from '@tplus/core';
import { Ruleset } from '@tplus/core';
import { compilePack, type CompiledPack } from '../../server/src/pack/compile-pack.js';

export const RULES_DIR = resolve(import.meta.dirname, '../../server/rules');
/** A fixed "today" so horizon warnings do not drift with the wall clock. */
export const TODAY = parseDay('2026-11-27');

let cached: { pack: CompiledPack; ruleset: Ruleset } | null = null;

/** The bundled pack, compiled once per test file. */
export function bundled(): { pack: CompiledPack; ruleset: Ruleset } {
  if (cached) return cached;
  const pack = compilePack(RULES_DIR, { today: TODAY });
  if (!pack.document || !pack.hash) {
    throw new Error(`bundled pack does not compile:\n${pack.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n')}`);
  }
  cached = { pack, ruleset: new Ruleset(pack.document, { version: 0, hash: pack.hash }) };
  return cached;
}

/**
 * The bundled pack's declared version (server/rules/pack.yaml `pack.version`): the number a sidecar seeded
 * from it stores and `tplus settle` answers with. Tests derive every seed version from it (later ones as
 * BUNDLED_VERSION + 1, ...) so raising the pack's version does not break them.
 */
export const BUNDLED_VERSION: number = declaredVersion();

function declaredVersion(): number {
  const version = bundled().pack.version;
  if (version === null) throw new Error(`the bundled pack (${RULES_DIR}) declares no pack.version`);
  return version;
}

/** Is `date` a business day of calendar `id` in the bundled pack? */
export function isBusiness(id: string, date: string): boolean {
  const cal = bundled().ruleset.calendars.get(id);
  if (!cal) throw new Error(`no calendar ${id}`);
  return cal.isBusinessDay(parseDay(date));
}

/** The bundled pack's decision for a trade (trading-day check on). */
export function decide(tradeDate: string, market: string, assetClass = 'EQUITY') {
  return bundled().ruleset.decide(tradeDate, assetClass, market);
}

export function settle(tradeDate: string, market: string, assetClass = 'EQUITY'): string {
  return decide(tradeDate, market, assetClass).settlementDate;
}

/** The DecisionError code `fn` throws, or 'no error'. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecisionError) return e.code;
    throw e;
  }
  return 'no error';
}
