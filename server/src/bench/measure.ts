/** One benchmark figure with the baseline it is compared to, both measured in this run. */
export interface BenchResult {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly baselineName: string;
  readonly baselineValue: number;
  /** value / baselineValue. */
  readonly ratio: number;
  readonly repetitions: number;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? NaN, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

/**
 * Nanoseconds per operation of `op(i)`, `iterations` calls per repetition, after a warm-up. The sink
 * keeps the JIT from discarding the work.
 */
export function nsPerOp(op: (i: number) => number, iterations: number, repetitions: number): Stats {
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 200_000); i++) sink += op(i);
  const samples: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink += op(i);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  if (sink === -1) console.log('impossible');
  return stats(samples);
}

export function result(name: string, unit: string, s: Stats, baselineName: string, baseline: Stats, repetitions: number): BenchResult {
  return {
    name,
    unit,
    value: s.median,
    min: s.min,
    max: s.max,
    baselineName,
    baselineValue: baseline.median,
    ratio: s.median / baseline.median,
    repetitions,
  };
}

/**
 * One repetition of `op` timed by two clocks at once, after the same warm-up as nsPerOp: the wall clock
 * and this process's CPU time (user + system, process.cpuUsage). On a machine shared with other work the
 * CPU clock leaves out the time the process waited for a core, which the wall clock counts.
 */
export function nsPerOpWallAndCpu(op: (i: number) => number, iterations: number): { readonly wall: number; readonly cpu: number } {
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 200_000); i++) sink += op(i);
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += op(i);
  const wall = Number(process.hrtime.bigint() - start) / iterations;
  const used = process.cpuUsage(cpuStart);
  if (sink === -1) console.log('impossible');
  return { wall, cpu: ((used.user + used.system) * 1000) / iterations };
}
