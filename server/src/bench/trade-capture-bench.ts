import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stats, type BenchResult } from './measure.js';

const EXAMPLE_MAIN = fileURLToPath(new URL('../../../examples/trade-capture/dist/main.js', import.meta.url));
const MODES = ['sequential', 'concurrent', 'in-process'] as const;

interface ModesOutput {
  readonly runs: readonly {
    readonly mode: string;
    readonly stats: { readonly attempts: number; readonly provisional: number; readonly totalMs: number; readonly sdkMs: number };
  }[];
}

/**
 * The reference trade capture (`examples/trade-capture`, `main.js modes --json`): the same day of
 * `trades` trades booked sequentially, concurrently over coalesced RPC and in-process, each into its
 * own SQLite database, against the example's own sidecar child process. trades/s per mode, each
 * against the sequential mode of the same repetition.
 */
export async function tradeCaptureBench(repetitions: number, trades: number, log: (line: string) => void): Promise<BenchResult[]> {
  if (!existsSync(EXAMPLE_MAIN)) throw new Error(`${EXAMPLE_MAIN} is missing: run npm run build first`);
  const rates = new Map<string, number[]>(MODES.map((m) => [m, []]));
  const shares = new Map<string, number[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < repetitions; r++) {
    const { stdout } = await promisify(execFile)(process.execPath, [EXAMPLE_MAIN, 'modes', '--trades', String(trades), '--json'], {
      timeout: 300_000,
    });
    const out = JSON.parse(stdout) as ModesOutput;
    for (const run of out.runs) {
      if (run.stats.provisional > 0)
        throw new Error(`trade capture ${run.mode}: ${run.stats.provisional} provisional answers, the sidecar was not answering`);
      rates.get(run.mode)?.push((run.stats.attempts * 1000) / run.stats.totalMs);
      shares.get(run.mode)?.push(run.stats.sdkMs / run.stats.totalMs);
    }
  }
  const base = stats(rates.get('sequential') ?? []);
  return MODES.map((mode) => {
    const s = stats(rates.get(mode) ?? []);
    const share = stats(shares.get(mode) ?? []).median;
    log(
      `trade capture ${mode}`.padEnd(44) +
        ` median ${s.median.toFixed(0)} trades/s = ${(s.median / base.median).toFixed(1)}x sequential (${base.median.toFixed(0)}); SDK ${(share * 100).toFixed(0)}% of the time`,
    );
    return {
      name: `trade capture ${mode} (${trades} trades, SQLite)`,
      unit: 'trades/s',
      value: s.median,
      min: s.min,
      max: s.max,
      baselineName: 'trade capture sequential, same runs',
      baselineValue: base.median,
      ratio: s.median / base.median,
      repetitions,
    };
  });
}
