import { DecisionError } from '@tplus/core';
import { formatDay, parseDay } from '@tplus/core';
import { Ruleset } from '@tplus/core';
import type { RulesetDocument } from '@tplus/core';
import { canonicalJson, rulesetHash } from '@tplus/core';
import { stats, type BenchResult } from './measure.js';

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap after 0, 250k, 500k, 750k and 1,000,000 decisions (after a full GC each time): a flat series
 * means the request path keeps nothing. The baseline is the same loop over Map.get.
 */
function heapGrowth(ruleset: Ruleset, log: (line: string) => void): BenchResult[] {
  if (!gc) {
    log('heap growth: skipped (run node with --expose-gc, as `npm run bench` does)');
    return [];
  }
  const dates: string[] = [];
  for (let d = parseDay('2010-01-04'); dates.length < 4096; d++) dates.push(formatDay(d));
  const markets = ['XNYS', 'XNAS', 'ARCX', 'XTSE', 'XLON', 'XPAR'];
  const series = (op: (i: number) => void): number[] => {
    const out = [heapAfterGc()];
    for (let step = 0; step < 4; step++) {
      for (let i = step * 250_000; i < (step + 1) * 250_000; i++) op(i);
      out.push(heapAfterGc());
    }
    return out;
  };
  let sink = 0;
  const decisions = series((i) => {
    try {
      sink += ruleset.decide(dates[i & 4095] as string, 'EQUITY', markets[i % 6] as string, true).settlementDate.length;
    } catch (e) {
      if (!(e instanceof DecisionError)) throw e;
    }
  });
  const map = new Map(dates.map((d, i) => [d, i]));
  const baseline = series((i) => {
    sink += map.get(dates[i & 4095] as string) ?? 0;
  });
  if (sink < 0) log('impossible');
  const growth = (s: number[]): number => ((s.at(-1) ?? 0) - (s[1] ?? 0)) / 1024;
  log(
    `heap after GC every 250k decisions (KiB): ${decisions.map((b) => (b / 1024).toFixed(0)).join(' → ')}; Map.get loop: ${baseline.map((b) => (b / 1024).toFixed(0)).join(' → ')}`,
  );
  return [
    {
      name: 'heap growth from 250k to 1,000,000 decisions',
      unit: 'KiB',
      value: growth(decisions),
      min: Math.min(...decisions) / 1024,
      max: Math.max(...decisions) / 1024,
      baselineName: 'heap growth over the same Map.get loop',
      baselineValue: growth(baseline),
      ratio: growth(baseline) === 0 ? 0 : growth(decisions) / growth(baseline),
      repetitions: 1,
    },
  ];
}

/** The bundled pack copied `factor` times under new calendar ids and markets (Q + 3 characters). */
function scaled(doc: RulesetDocument, factor: number): RulesetDocument {
  const calendars = [];
  const rules = [];
  for (let k = 0; k < factor; k++) {
    const tag = k.toString(36).toUpperCase().padStart(2, '0');
    const cal = (id: string): string => `${id}-${tag}`;
    for (const c of doc.calendars) calendars.push({ ...c, id: cal(c.id), unionOf: c.unionOf.map(cal) });
    for (const r of doc.rules) {
      rules.push({
        ...r,
        id: `${r.id}-${tag}`,
        market: `Q${tag}${r.market.slice(3)}`,
        settlementCalendar: cal(r.settlementCalendar),
        tradingCalendar: r.tradingCalendar === null ? null : cal(r.tradingCalendar),
      });
    }
  }
  return { calendars, rules };
}

/** Snapshot size (canonical JSON), hashing and index build ("apply") for the bundled pack and 100×. */
function snapshotCosts(doc: RulesetDocument, repetitions: number, log: (line: string) => void): BenchResult[] {
  const measure = (d: RulesetDocument) => {
    const bytes = Buffer.byteLength(canonicalJson(d));
    const hashMs: number[] = [];
    const buildMs: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      let t = performance.now();
      const hash = rulesetHash(d);
      hashMs.push(performance.now() - t);
      t = performance.now();
      new Ruleset(d, { version: 1, hash });
      buildMs.push(performance.now() - t);
    }
    return { bytes, hash: stats(hashMs), build: stats(buildMs) };
  };
  const small = measure(doc);
  const big = measure(scaled(doc, 100));
  log(
    `snapshot: bundled ${(small.bytes / 1024).toFixed(0)} KiB, hash ${small.hash.median.toFixed(1)} ms, build ${small.build.median.toFixed(1)} ms; 100x ${(big.bytes / 1048576).toFixed(1)} MiB, hash ${big.hash.median.toFixed(0)} ms, build ${big.build.median.toFixed(0)} ms`,
  );
  const row = (name: string, unit: string, v: number, s: { min: number; max: number } | null, base: number): BenchResult => ({
    name,
    unit,
    value: v,
    min: s?.min ?? v,
    max: s?.max ?? v,
    baselineName: name.replace('100x pack', 'bundled pack'),
    baselineValue: base,
    ratio: v / base,
    repetitions,
  });
  return [
    row('snapshot size, 100x pack', 'bytes', big.bytes, null, small.bytes),
    row('snapshot sha256, 100x pack', 'ms', big.hash.median, big.hash, small.hash.median),
    row('snapshot apply (index build), 100x pack', 'ms', big.build.median, big.build, small.build.median),
    row('snapshot apply (index build), bundled pack', 'ms', small.build.median, small.build, small.build.median),
  ];
}

export function memoryBench(ruleset: Ruleset, repetitions: number, log: (line: string) => void): BenchResult[] {
  return [...snapshotCosts(ruleset.document, repetitions, log), ...heapGrowth(ruleset, log)];
}
