import type { SettlementRequest } from '@tplus/client-sdk';
import { formatDay, parseDay } from '@tplus/core';
import { Ruleset } from '@tplus/core';
import { compilePack } from '../pack/index.js';

/** Compiles a rule pack directory into a Ruleset (the core the sidecars run), for checking answers. */
export function compileRuleset(dir: string, version = 0): Ruleset {
  const pack = compilePack(dir, { today: Math.floor(Date.now() / 86_400_000) });
  if (!pack.document || !pack.hash)
    throw new Error(`the rule pack ${dir} does not compile: ${pack.problems.map((p) => p.message).join('; ')}`);
  return new Ruleset(pack.document, { version, hash: pack.hash });
}

/** Trading days of `market` from..to (inclusive) on which `ruleset` decides for `assetClass`. */
export function tradingDays(
  ruleset: Ruleset,
  market: string,
  assetClass: string,
  from: string,
  to: string,
  skip: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [];
  for (let d = parseDay(from); d <= parseDay(to); d++) {
    const text = formatDay(d);
    if (skip.has(text)) continue;
    try {
      ruleset.decide(text, assetClass, market);
      out.push(text);
    } catch {
      // not a trading day
    }
  }
  if (out.length === 0) throw new Error(`no trading days for ${market} ${assetClass} in ${from}..${to}`);
  return out;
}

/** Trade capture booking one trade per call, cycling through `days`. */
export function cyclingTrades(days: readonly string[], market = 'XNYS', assetClass = 'EQUITY'): (seq: number) => SettlementRequest {
  return (seq) => ({ tradeDate: days[seq % days.length] as string, assetClass, market });
}
