import { parseDay, formatDay } from '@tplus/core';
import { DecisionError } from '@tplus/core';
import { explain } from '@tplus/core';
import type { Ruleset } from '@tplus/core';
import { nsPerOp, result, type BenchResult } from './measure.js';

export interface Ask {
  readonly tradeDate: string;
  readonly assetClass: string;
  readonly market: string;
}

/** A realistic mix: every market and asset class of the pack, trade dates across 20 years, each one valid. */
export function mix(ruleset: Ruleset, size: number): Ask[] {
  const keys = [...new Set(ruleset.rules.map((r) => `${r.assetClass} ${r.market}`))].map((k) => k.split(' '));
  const first = parseDay('2006-01-01');
  const span = parseDay('2025-12-31') - first;
  const out: Ask[] = [];
  let seed = 12345;
  for (let attempts = 0; out.length < size && attempts < size * 20; attempts++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const [assetClass = '', market = ''] = keys[seed % keys.length] ?? [];
    const tradeDate = formatDay(first + (seed % span));
    try {
      ruleset.decide(tradeDate, assetClass, market);
      out.push({ tradeDate, assetClass, market });
    } catch (e) {
      if (!(e instanceof DecisionError)) throw e;
    }
  }
  return out;
}

/** In-process costs of the decision core, each against a plain Map lookup measured in the same run. */
export function coreBench(ruleset: Ruleset, repetitions: number): BenchResult[] {
  const N = 2_000_000;
  const asks = mix(ruleset, 4096);
  const mask = 4095;
  const map = new Map(asks.map((a, i) => [`${a.market}|${a.assetClass}|${a.tradeDate}`, i]));
  const keys = asks.map((a) => `${a.market}|${a.assetClass}|${a.tradeDate}`);
  const baseline = nsPerOp((i) => map.get(keys[i & mask] as string) ?? 0, N, repetitions);
  const base = 'Map.get (string key)';
  const hot = nsPerOp((i) => ruleset.decide('2024-05-24', 'EQUITY', 'XNYS').settlementDate.length + (i & 1), N, repetitions);
  const mixed = nsPerOp(
    (i) => {
      const a = asks[i & mask] as Ask;
      return ruleset.decide(a.tradeDate, a.assetClass, a.market).settlementDate.length;
    },
    N,
    repetitions,
  );
  const days = asks.map((a) => parseDay(a.tradeDate));
  const cal = ruleset.calendars.get('US-SETTLEMENT');
  if (!cal) throw new Error('bench needs US-SETTLEMENT');
  const usDays = days.filter((d) => cal.covers(d + 10));
  const usMask = (1 << Math.floor(Math.log2(usDays.length))) - 1;
  const add = nsPerOp((i) => cal.addBusinessDays(usDays[i & usMask] as number, 1 + (i & 3)), N, repetitions);
  const lookup = nsPerOp(
    (i) => {
      const a = asks[i & mask] as Ask;
      return ruleset.findRule(days[i & mask] as number, a.tradeDate, a.assetClass, a.market).cycleDays;
    },
    N,
    repetitions,
  );
  const explained = nsPerOp(
    (i) => {
      const a = asks[i & mask] as Ask;
      return explain(ruleset, a.tradeDate, a.assetClass, a.market).steps.length;
    },
    N / 20,
    repetitions,
  );
  return [
    result('decide() hot key (XNYS EQUITY 2024-05-24)', 'ns/op', hot, base, baseline, repetitions),
    result(`decide() mix (${keys.length} asks, 2006-2025, all markets)`, 'ns/op', mixed, base, baseline, repetitions),
    result('Calendar.addBusinessDays (US-SETTLEMENT, T+1..T+4)', 'ns/op', add, base, baseline, repetitions),
    result('rule index lookup (findRule)', 'ns/op', lookup, base, baseline, repetitions),
    result('explain() mix', 'ns/op', explained, base, baseline, repetitions),
    result('baseline: Map.get (string key)', 'ns/op', baseline, base, baseline, repetitions),
  ];
}
