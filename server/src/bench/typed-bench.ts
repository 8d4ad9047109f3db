import { parseDay, Ruleset, type DecideTerms, type RuleDocument } from '@tplus/core';
import { mix, type Ask } from './core-bench.js';
import { nsPerOpWallAndCpu, result, stats, type BenchResult } from './measure.js';

/**
 * A copy of the pack in which every rule has a twin for segment TRANCHE-1 (same period and cycle), so a
 * segment ask really finds a segment rule; the pack itself has no segment rules yet (India is withheld).
 */
function withSegments(ruleset: Ruleset): Ruleset {
  const twins: RuleDocument[] = ruleset.document.rules.map((r) => ({ ...r, id: `${r.id}.tranche-1`, segment: 'TRANCHE-1' }));
  return new Ruleset({ ...ruleset.document, rules: [...ruleset.document.rules, ...twins] }, { version: 0, hash: 'bench' });
}

/**
 * The terms for each ask, built once: on a rule that defines settlement types, the four types in turn
 * (WHEN_ISSUED announced for the regular-way date); elsewhere a segment that has rules, and one that
 * falls back to the market default, in turn.
 */
function termsFor(ruleset: Ruleset, asks: readonly Ask[]): DecideTerms[] {
  // One object shape for every ask, as the sidecar (termsOf) and the SDK hand them to decide().
  const terms = (settlementType: string, optionDays: number | undefined, settlementDate: string, segment: string): DecideTerms => ({
    settlementType,
    optionDays,
    settlementDate,
    segment,
  });
  let segmentAsks = 0;
  return asks.map((a, i) => {
    const rule = ruleset.findRule(parseDay(a.tradeDate), a.tradeDate, a.assetClass, a.market);
    if (rule.settlementTypes.length === 0) return terms('', undefined, '', segmentAsks++ % 2 === 0 ? 'TRANCHE-1' : 'NOT-LISTED');
    const regular = ruleset.decide(a.tradeDate, a.assetClass, a.market).settlementDate;
    const typed: DecideTerms[] = [
      terms('CASH', undefined, '', ''),
      terms('NEXT_DAY', undefined, '', ''),
      terms('SELLERS_OPTION', 3, '', ''),
      terms('WHEN_ISSUED', undefined, regular, ''),
    ];
    // i >> 2: the overweighted asks sit at every fourth index, so i % 4 alone would give them all CASH.
    return typed[(i >> 2) % typed.length] as DecideTerms;
  });
}

/** decide() with settlement types and segments against the plain decide() mix, same asks, same run (issue 19: ≤ 1.2×). */
export function typedBench(ruleset: Ruleset, repetitions: number, log: (line: string) => void): BenchResult[] {
  const N = 2_000_000;
  const mask = 4095;
  const segmented = withSegments(ruleset);
  const asks = mix(ruleset, 4096);
  // Asks on US T+1 rules carry types; the mix has few of them, so they are overweighted to a quarter.
  const typedAsks = asks.filter((a) => parseDay(a.tradeDate) >= parseDay('2024-05-28') && ['XNYS', 'XNAS', 'ARCX'].includes(a.market));
  const pool = asks.map((a, i) => (i % 4 === 0 && typedAsks.length > 0 ? (typedAsks[i % typedAsks.length] as Ask) : a));
  const terms = termsFor(segmented, pool);
  const share = (test: (t: DecideTerms) => boolean): string => `${Math.round((100 * terms.filter(test).length) / terms.length)}%`;
  log(
    `types bench mix: ${share((t) => t.settlementType !== '')} typed (${['CASH', 'NEXT_DAY', 'SELLERS_OPTION', 'WHEN_ISSUED'].map((type) => `${type} ${share((t) => t.settlementType === type)}`).join(', ')}), ${share((t) => t.segment === 'TRANCHE-1')} segment with rules, ${share((t) => t.segment === 'NOT-LISTED')} segment falling back to the market default`,
  );
  // Each typed request is one object holding its ask and its terms, as a caller's request is: the SDK's
  // in-process mode hands decide() the caller's request object itself as the terms, and the sidecar builds
  // the terms from the message it just decoded. Terms kept in a second array of objects allocated apart
  // cost each call a second cache miss that no real call pays (13 of the 25 ns between the two mixes, when
  // the plain loop was made to read them too).
  // (Spelled out, not spread: an object literal keeps all seven fields in the object itself.)
  const requests: (Ask & DecideTerms)[] = pool.map((a, i) => {
    const t = terms[i] as DecideTerms;
    return {
      tradeDate: a.tradeDate,
      assetClass: a.assetClass,
      market: a.market,
      settlementType: t.settlementType,
      optionDays: t.optionDays,
      settlementDate: t.settlementDate,
      segment: t.segment,
    };
  });
  const plainOp = (i: number): number => {
    const a = pool[i & mask] as Ask;
    return ruleset.decide(a.tradeDate, a.assetClass, a.market).settlementDate.length;
  };
  const typedOp = (i: number): number => {
    const r = requests[i & mask] as Ask & DecideTerms;
    return segmented.decide(r.tradeDate, r.assetClass, r.market, false, r).settlementDate.length;
  };
  // Interleaved rounds, each ratio taken within its round: on a shared machine the load changes between
  // two back-to-back measurements more than the difference measured. Each round is timed by the wall
  // clock and by CPU time; under load the CPU clock is the steadier of the two.
  const rounds = Math.max(10, repetitions * 4);
  const wall = { plain: [] as number[], typed: [] as number[], ratios: [] as number[] };
  const cpu = { plain: [] as number[], typed: [] as number[], ratios: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const p = nsPerOpWallAndCpu(plainOp, N / 4);
    const t = nsPerOpWallAndCpu(typedOp, N / 4);
    wall.plain.push(p.wall);
    wall.typed.push(t.wall);
    wall.ratios.push(t.wall / p.wall);
    cpu.plain.push(p.cpu);
    cpu.typed.push(t.cpu);
    cpu.ratios.push(t.cpu / p.cpu);
  }
  const base = 'decide() mix (plain)';
  const figures = (clock: typeof wall, name: string): BenchResult[] => {
    const plain = stats(clock.plain);
    const typed = stats(clock.typed);
    const ratio = stats(clock.ratios);
    // The fastest round of each is the least disturbed by other processes: its ratio is reported too.
    log(
      `decide() with types and segments, ${name}: median ratio ${ratio.median.toFixed(2)}x the plain mix over ${rounds} interleaved rounds (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}); fastest round of each ${(typed.min / plain.min).toFixed(2)}x; issue 19 asks ≤ 1.2x: ${ratio.median <= 1.2 ? 'yes' : 'NO'}`,
    );
    const suffix = name === 'wall clock' ? '' : ` (${name})`;
    return [
      { ...result(`decide() mix with settlement types and segments${suffix}`, 'ns/op', typed, base, plain, rounds), ratio: ratio.median },
      result(`baseline: decide() mix (plain, same asks)${suffix}`, 'ns/op', plain, base, plain, rounds),
    ];
  };
  return [...figures(wall, 'wall clock'), ...figures(cpu, 'CPU time')];
}
