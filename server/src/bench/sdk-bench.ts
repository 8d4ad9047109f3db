import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSettlementClient } from '@tplus/client-sdk';
import { Registry } from 'prom-client';
import { formatDay, parseDay, weekdayOf } from '@tplus/core';
import { coalescedScenario } from './coalesced-bench.js';
import { call, createStub, runLoad, type LoadResult } from './load.js';
import { stats, type BenchResult } from './measure.js';
import { ServerProcess } from './server-process.js';

const TPLUS_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/**
 * The SDK (breaker + deadline + metrics + events) against a raw grpc-js stub calling the same sidecar
 * over the same Unix socket, alternating in each repetition. Then coalesced calls (the SDK's default
 * RPC mode) at c=64 and c=256 in decisions/s, each against raw unary calls at the same concurrency and
 * raw row batches of 1,000, all measured in the same repetition.
 */
export async function sdkBench(repetitions: number, durationMs: number, log: (line: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-sdk-bench-'));
  const socket = join(dir, 's.sock');
  const sidecar = await ServerProcess.start(
    [TPLUS_MAIN, 'serve', '--data-dir', join(dir, 'data'), '--socket', socket, '--listen', 'off', '--metrics-listen', 'off'],
    { socket },
  );
  const days: string[] = [];
  for (let d = parseDay('2024-06-03'); days.length < 256; d++) if (weekdayOf(d) % 6 !== 0) days.push(formatDay(d));
  const reqs = days.map((tradeDate) => ({ tradeDate, assetClass: 'EQUITY', market: 'XNYS', allowNonTradingDay: true }));
  const batch = Array.from({ length: 1000 }, (_, i) => reqs[i & 255] as (typeof reqs)[number]);
  const stub = createStub(`unix:${socket}`);
  const registry = new Registry();
  const coalescedRegistry = new Registry();
  // coalesce: false, so that the "SDK unary" figures stay one unary RPC per call, as before coalescing.
  const client = createSettlementClient({
    address: `unix://${socket}`,
    deadlineMs: 5_000,
    registry,
    onAlert: () => undefined,
    coalesce: false,
  });
  const coalesced = createSettlementClient({
    address: `unix://${socket}`,
    deadlineMs: 5_000,
    registry: coalescedRegistry,
    onAlert: () => undefined,
  });
  client.on('fallback', () => undefined);
  const results: BenchResult[] = [];
  try {
    const scenarios = [
      {
        name: 'unary c=64',
        unit: 'calls/s',
        items: 1,
        concurrency: 64,
        raw: (i: number) => call(stub, 'GetSettlementDate', reqs[i & 255]),
        sdk: (i: number) => client.getSettlementDateDetails(reqs[i & 255] as (typeof reqs)[number]),
      },
      {
        name: 'batch 1000 c=8',
        unit: 'items/s',
        items: 1000,
        concurrency: 8,
        raw: () => call(stub, 'BatchGetSettlementDates', { items: batch }),
        sdk: () => client.getSettlementDates(batch, { deadlineMs: 30_000 }),
      },
    ] as const;
    for (const sc of scenarios) {
      const raw: LoadResult[] = [];
      const sdk: LoadResult[] = [];
      await runLoad(sc.raw, sc.concurrency, 300, sc.items);
      await runLoad(sc.sdk, sc.concurrency, 300, sc.items);
      for (let r = 0; r < repetitions; r++) {
        raw.push(await runLoad(sc.raw, sc.concurrency, durationMs, sc.items));
        sdk.push(await runLoad(sc.sdk, sc.concurrency, durationMs, sc.items));
      }
      const rate = (x: LoadResult): number => (sc.unit === 'calls/s' ? x.callsPerSecond : x.itemsPerSecond);
      const s = stats(sdk.map(rate));
      const b = stats(raw.map(rate));
      results.push({
        name: `SDK ${sc.name} (uds)`,
        unit: sc.unit,
        value: s.median,
        min: s.min,
        max: s.max,
        baselineName: `raw grpc-js stub ${sc.name} (uds)`,
        baselineValue: b.median,
        ratio: s.median / b.median,
        repetitions,
      });
      log(
        `SDK ${sc.name} (uds)`.padEnd(44) +
          ` median ${s.median.toFixed(0)} ${sc.unit} = ${(s.median / b.median).toFixed(3)}x raw stub (${b.median.toFixed(0)}); overhead ${((1 - s.median / b.median) * 100).toFixed(1)}%; client cpu/call SDK ${stats(sdk.map((x) => x.clientCpuUsPerCall)).median.toFixed(1)} µs, raw ${stats(raw.map((x) => x.clientCpuUsPerCall)).median.toFixed(1)} µs`,
      );
    }
    for (const c of [64, 256])
      results.push(...(await coalescedScenario(c, repetitions, durationMs, log, { reqs, batch, stub, coalesced })));
    const fallbacks = [...(await registry.getMetricsAsJSON()), ...(await coalescedRegistry.getMetricsAsJSON())]
      .filter((m) => m.name === 'tplus_client_fallbacks_total')
      .reduce((n, m) => n + m.values.length, 0);
    if (fallbacks > 0) log('warning: the SDK fell back during the run; its figures include fallback answers');
  } finally {
    await client.close();
    await coalesced.close();
    stub.close();
    await sidecar.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
