import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSettlementClient } from '@tplus/client-sdk';
import type { Ruleset } from '@tplus/core';
import { mix, type Ask } from './core-bench.js';
import { nsPerOp, result, stats, type BenchResult, type Stats } from './measure.js';
import { ServerProcess } from './server-process.js';

const TPLUS_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const HEAP_CHILD = fileURLToPath(new URL('./sdk-heap-child.js', import.meta.url));
const MiB = 1024 * 1024;

/** ns per awaited call of `op(i)`, one at a time (the latency of a resolved promise chain), after a warm-up. */
async function asyncNsPerOp(op: (i: number) => Promise<unknown>, iterations: number, repetitions: number): Promise<Stats> {
  for (let i = 0; i < Math.min(iterations, 100_000); i++) await op(i);
  const samples: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await op(i);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return stats(samples);
}

interface HeapSample {
  readonly before: number;
  readonly after: number;
  readonly source: string;
}

async function heapChild(address: string, mode: 'rpc' | 'in-process'): Promise<HeapSample> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', HEAP_CHILD, address, mode], { timeout: 60_000 });
  return JSON.parse(stdout) as HeapSample;
}

/**
 * The in-process SDK client against a real sidecar child process over UDS: `decideSync` and the promise
 * `getSettlementDate` in ns/op, each with its ratio to @tplus/core `decide()` on the same asks in the
 * same run; then the heap an in-process client holds (bundled pack synced), after GC, in a child
 * process of its own, against an RPC-mode client in another child.
 */
export async function inProcessBench(ruleset: Ruleset, repetitions: number, log: (line: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-in-process-bench-'));
  const socket = join(dir, 's.sock');
  const address = `unix://${socket}`;
  const sidecar = await ServerProcess.start(
    [TPLUS_MAIN, 'serve', '--data-dir', join(dir, 'data'), '--socket', socket, '--listen', 'off', '--metrics-listen', 'off'],
    { socket },
  );
  const client = createSettlementClient({ address, mode: 'in-process', deadlineMs: 5_000, onAlert: () => undefined });
  try {
    await client.ready({ timeoutMs: 20_000 });
    const asks = mix(ruleset, 4096);
    const mask = 4095;
    if (asks.length !== 4096) throw new Error(`bench mix has ${asks.length} asks, expected 4096`);
    const N = 1_000_000;
    const core = nsPerOp(
      (i) => {
        const a = asks[i & mask] as Ask;
        return ruleset.decide(a.tradeDate, a.assetClass, a.market).settlementDate.length;
      },
      N,
      repetitions,
    );
    const sync = nsPerOp((i) => client.decideSync(asks[i & mask] as Ask).settlementDate.length, N, repetitions);
    const promised = await asyncNsPerOp((i) => client.getSettlementDate(asks[i & mask] as Ask), N, repetitions);
    const coreName = 'core decide() mix (same asks)';
    log(
      `in-process decideSync ${sync.median.toFixed(0)} ns/op = ${(sync.median / core.median).toFixed(2)}x core decide() (${core.median.toFixed(0)} ns); promise getSettlementDate ${promised.median.toFixed(0)} ns/op`,
    );
    const results = [
      result('in-process decideSync mix', 'ns/op', sync, coreName, core, repetitions),
      result('in-process getSettlementDate (awaited, one at a time)', 'ns/op', promised, coreName, core, repetitions),
      result('baseline: core decide() mix (same asks)', 'ns/op', core, coreName, core, repetitions),
    ];
    const inProcess: number[] = [];
    const rpc: number[] = [];
    for (let r = 0; r < Math.min(repetitions, 3); r++) {
      const ip = await heapChild(address, 'in-process');
      const rp = await heapChild(address, 'rpc');
      if (ip.source !== 'in-process' || rp.source !== 'service') throw new Error(`heap children answered from ${ip.source} / ${rp.source}`);
      inProcess.push((ip.after - ip.before) / MiB);
      rpc.push((rp.after - rp.before) / MiB);
    }
    const heap = stats(inProcess);
    const heapBase = stats(rpc);
    log(`in-process client heap after GC: +${heap.median.toFixed(1)} MiB (rpc client: +${heapBase.median.toFixed(1)} MiB)`);
    results.push(
      result(
        'in-process client extra heap after GC (bundled pack)',
        'MiB',
        heap,
        'rpc-mode client extra heap after GC',
        heapBase,
        inProcess.length,
      ),
    );
    return results;
  } finally {
    await client.close();
    await sidecar.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
