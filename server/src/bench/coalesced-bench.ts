import type { SettlementClient, SettlementRequest } from '@tplus/client-sdk';
import { call, runLoad, type LoadResult, type Stub } from './load.js';
import { stats, type BenchResult } from './measure.js';

export interface CoalescedTargets {
  readonly reqs: readonly SettlementRequest[];
  /** 1,000 rows for the row batch baseline. */
  readonly batch: readonly SettlementRequest[];
  readonly stub: Stub;
  /** An SDK client with the default coalescing. */
  readonly coalesced: SettlementClient;
}

const BATCH_CONCURRENCY = 8;

/**
 * Coalesced SDK calls at `concurrency` callers in flight, in decisions/s, with two baselines measured in
 * the same repetition: raw grpc-js unary calls at the same concurrency, and raw row batches of 1,000
 * (c=8, as in the gRPC bench). Two results: the ratio to each baseline.
 */
export async function coalescedScenario(
  concurrency: number,
  repetitions: number,
  durationMs: number,
  log: (line: string) => void,
  t: CoalescedTargets,
): Promise<BenchResult[]> {
  const n = t.reqs.length;
  const sdk = (i: number): Promise<unknown> => t.coalesced.getSettlementDateDetails(t.reqs[i % n] as SettlementRequest);
  const unary = (i: number): Promise<unknown> => call(t.stub, 'GetSettlementDate', t.reqs[i % n]);
  const rows = (): Promise<unknown> => call(t.stub, 'BatchGetSettlementDates', { items: t.batch });
  await runLoad(sdk, concurrency, 300, 1);
  await runLoad(unary, concurrency, 300, 1);
  await runLoad(rows, BATCH_CONCURRENCY, 300, t.batch.length);
  const c: LoadResult[] = [];
  const u: LoadResult[] = [];
  const b: LoadResult[] = [];
  for (let r = 0; r < repetitions; r++) {
    c.push(await runLoad(sdk, concurrency, durationMs, 1));
    u.push(await runLoad(unary, concurrency, durationMs, 1));
    b.push(await runLoad(rows, BATCH_CONCURRENCY, durationMs, t.batch.length));
  }
  const s = stats(c.map((x) => x.itemsPerSecond));
  const su = stats(u.map((x) => x.itemsPerSecond));
  const sb = stats(b.map((x) => x.itemsPerSecond));
  const p99 = stats(c.map((x) => x.p99Ms)).median;
  const name = `SDK coalesced c=${concurrency} (uds)`;
  log(
    `${name.padEnd(44)} median ${s.median.toFixed(0)} decisions/s = ${(s.median / su.median).toFixed(2)}x raw unary c=${concurrency} (${su.median.toFixed(0)}), ` +
      `${(s.median / sb.median).toFixed(2)}x raw row batch 1000 (${sb.median.toFixed(0)}); p99 ${p99.toFixed(1)} ms; client cpu/call ${stats(c.map((x) => x.clientCpuUsPerCall)).median.toFixed(1)} µs`,
  );
  const base = { unit: 'decisions/s', value: s.median, min: s.min, max: s.max, repetitions };
  return [
    {
      name: `${name} vs unary`,
      ...base,
      baselineName: `raw grpc-js stub unary c=${concurrency} (uds)`,
      baselineValue: su.median,
      ratio: s.median / su.median,
    },
    {
      name: `${name} vs row batch`,
      ...base,
      baselineName: `raw grpc-js stub row batch 1000 c=${BATCH_CONCURRENCY} (uds)`,
      baselineValue: sb.median,
      ratio: s.median / sb.median,
    },
  ];
}
