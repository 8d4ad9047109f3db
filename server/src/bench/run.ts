/**
 * `npm run bench`: every figure is a ratio to a baseline measured in the same run, because the machines
 * this runs on are shared and noisy. Writes bench/results.json and prints a table.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseDay } from '@tplus/core';
import { Ruleset } from '@tplus/core';
import { compilePack } from '../pack/index.js';
import { activationBench } from './activation-bench.js';
import { publishStallBench } from './publish-stall-bench.js';
import { coreBench } from './core-bench.js';
import { grpcBench } from './grpc-bench.js';
import { inProcessBench } from './in-process-bench.js';
import { memoryBench } from './memory-bench.js';
import { registryBench } from './registry-bench.js';
import { sdkBench } from './sdk-bench.js';
import { shadowBench } from './shadow-bench.js';
import { tradeCaptureBench } from './trade-capture-bench.js';
import { typedBench } from './typed-bench.js';
import type { BenchResult } from './measure.js';

const repetitions = Number(process.env['BENCH_REPETITIONS'] ?? '5');
const rulesDir = fileURLToPath(new URL('../../rules', import.meta.url));
const outDir = fileURLToPath(new URL('../../../bench', import.meta.url));

const pack = compilePack(rulesDir, { today: parseDay(new Date().toISOString().slice(0, 10)) });
if (!pack.document || !pack.hash) throw new Error('bundled rule pack does not compile: run `tplus rules validate`');
const ruleset = new Ruleset(pack.document, { version: 0, hash: pack.hash });

// BENCH_ONLY: one group or a comma-separated list (core, memory, grpc, registry, sdk, in-process, activation,
// trade-capture, types, shadow, publish-stall). BENCH_STALL_BEFORE: see publish-stall-bench.ts. BENCH_TRADES: trades per mode in the trade-capture bench (default 5,000).
const only = new Set((process.env['BENCH_ONLY'] ?? 'all').split(',').map((s) => s.trim()));
const wanted = (group: string): boolean => only.has('all') || only.has(group);
const durationMs = Number(process.env['BENCH_DURATION_MS'] ?? '1500');
const results: BenchResult[] = [];
if (wanted('core')) results.push(...coreBench(ruleset, repetitions));
if (wanted('memory')) results.push(...memoryBench(ruleset, Math.min(repetitions, 3), (line) => console.log(line)));
if (wanted('grpc')) results.push(...(await grpcBench(Math.min(repetitions, 3), durationMs, (line) => console.log(line))));
if (wanted('registry')) results.push(...(await registryBench(Math.min(repetitions, 3), (line) => console.log(line))));
if (wanted('sdk')) results.push(...(await sdkBench(Math.min(repetitions, 5), durationMs, (line) => console.log(line))));
if (wanted('in-process')) results.push(...(await inProcessBench(ruleset, repetitions, (line) => console.log(line))));
const benchTrades = Number(process.env['BENCH_TRADES'] ?? '5000');
if (!Number.isInteger(benchTrades) || benchTrades < 1 || benchTrades > 1_000_000)
  throw new Error(`BENCH_TRADES must be an integer in 1..1000000, got ${process.env['BENCH_TRADES']}`);
if (wanted('trade-capture')) results.push(...(await tradeCaptureBench(Math.min(repetitions, 3), benchTrades, (line) => console.log(line))));
if (wanted('types')) results.push(...typedBench(ruleset, repetitions, (line) => console.log(line)));
if (wanted('shadow')) results.push(...(await shadowBench(Math.min(repetitions, 3), durationMs, (line) => console.log(line))));
if (wanted('activation')) results.push(...(await activationBench(pack.document, (line) => console.log(line))));
if (wanted('publish-stall')) results.push(...(await publishStallBench((line) => console.log(line), process.env['BENCH_STALL_BEFORE'])));

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
console.log(`${'benchmark'.padEnd(58)} ${'median'.padStart(9)} ${'min'.padStart(8)} ${'max'.padStart(8)}  unit    ratio to baseline`);
for (const r of results) {
  console.log(
    `${r.name.padEnd(58)} ${fmt(r.value).padStart(9)} ${fmt(r.min).padStart(8)} ${fmt(r.max).padStart(8)}  ${r.unit.padEnd(6)}  ${r.ratio.toFixed(2)}x ${r.baselineName}`,
  );
}
mkdirSync(outDir, { recursive: true });
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryBytes: totalmem(),
  platform: process.platform,
};
writeFileSync(`${outDir}/results.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, repetitions, results }, null, 2)}\n`);
console.log(`\nwrote ${outDir}/results.json (${machine.cpus} × ${machine.cpuModel}, Node ${machine.node})`);
