import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, credentials } from '@grpc/grpc-js';
import { createSettlementClient } from '@tplus/client-sdk';
import { generateSigningKeys, grpcTarget, packFiles } from '../registry/index.js';
import type { BenchResult } from './measure.js';
import { BENCH_TOKEN, publish, withClosure } from './registry-scenario.js';
import { ServerProcess } from './server-process.js';

const TPLUS_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const READ_TOKEN = 'bench-read-token-0123456789';
const PUBLISHES = 8;
/** Calls start every 2 ms after the previous answer, as trade capture's sampler in the defect report. */
const GAP_MS = 2;
/** The no-publish window, and how long after each publish its stall is looked for. */
const WINDOW_MS = 1_500;
/** The SDK's default deadline: a call slower than this falls back in trade capture. */
const SDK_DEFAULT_DEADLINE_MS = 50;

interface Sample {
  readonly at: number;
  readonly ms: number;
  readonly version: number;
}

export interface StallRun {
  /** Per quiet window (no publish under way, WINDOW_MS, just before each publish), the longest answer. */
  readonly quietMs: readonly number[];
  /** Per publish, the longest answer in the WINDOW_MS after Publish was sent. */
  readonly stallsMs: readonly number[];
  /** Answers slower than the SDK's default deadline, over all publish windows. */
  readonly overDeadline: number;
  readonly calls: number;
}

/**
 * One registry and one sidecar following it over a Unix socket (both real `tplus` processes, `main`
 * the program to run), a client calling GetSettlementDate every 2 ms: PUBLISHES times, the longest
 * answer in a quiet window, then the longest answer while a publish (the bundled pack plus one
 * closure) is verified, stored and activated by the sidecar.
 */
export async function publishStallRun(main: string): Promise<StallRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-stall-bench-'));
  const procs: ServerProcess[] = [];
  let publisher: Client | null = null;
  const client = createSettlementClient({
    address: `unix://${join(dir, 's.sock')}`,
    deadlineMs: 5_000,
    coalesce: false,
    onAlert: () => undefined,
  });
  try {
    const keys = generateSigningKeys(join(dir, 'keys'));
    writeFileSync(join(dir, 'tokens'), `publish ${BENCH_TOKEN}\nread ${READ_TOKEN}\n`);
    writeFileSync(join(dir, 'read.token'), `${READ_TOKEN}\n`);
    const registrySocket = join(dir, 'registry.sock');
    procs.push(
      await ServerProcess.start(
        [main, 'registry', '--data-dir', join(dir, 'registry'), '--listen', `unix:${registrySocket}`, '--metrics-listen', 'off'].concat([
          '--signing-key',
          keys.privateKeyFile,
          '--tokens',
          join(dir, 'tokens'),
          '--heartbeat-ms',
          '200',
        ]),
        { socket: registrySocket },
      ),
    );
    publisher = new Client(grpcTarget(`unix:${registrySocket}`), credentials.createInsecure());
    const base = packFiles(RULES);
    await publish(publisher, base, 'bench base');
    procs.push(
      await ServerProcess.start(
        [main, 'serve', '--registry', `unix:${registrySocket}`, '--registry-public-key', keys.publicKeyFile]
          .concat(['--registry-token-file', join(dir, 'read.token'), '--data-dir', join(dir, 'sidecar'), '--socket', join(dir, 's.sock')])
          .concat(['--listen', 'off', '--metrics-listen', 'off']),
        { socket: join(dir, 's.sock') },
      ),
    );
    const samples: Sample[] = [];
    let calling = true;
    const request = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };
    // Bounded in count and in time: stops when the publishes are done, or after 120 s, or 100,000 calls.
    const loop = (async () => {
      const until = Date.now() + 120_000;
      for (let i = 0; i < 100_000 && calling && Date.now() < until; i++) {
        const at = performance.now();
        const d = await client.getSettlementDateDetails(request);
        samples.push({ at, ms: performance.now() - at, version: d.rulesetVersion ?? 0 });
        await new Promise((r) => setTimeout(r, GAP_MS));
      }
    })();
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const waitVersion = async (v: number): Promise<void> => {
      for (let i = 0; i < 300 && (samples.at(-1)?.version ?? 0) < v; i++) await sleep(100);
      if ((samples.at(-1)?.version ?? 0) < v) throw new Error(`the sidecar did not answer from version ${v} within 30 s`);
    };
    await waitVersion(1);
    await sleep(500); // past the first install's after-effects
    const quiet: [number, number][] = [];
    const windows: [number, number][] = [];
    for (let p = 1; p <= PUBLISHES; p++) {
      const quietFrom = performance.now();
      await sleep(WINDOW_MS);
      quiet.push([quietFrom, performance.now()]);
      const sent = performance.now();
      await publish(publisher, withClosure(base, `2030-04-${String(10 + p).padStart(2, '0')}`), `bench publish ${p}`);
      await waitVersion(1 + p);
      await sleep(Math.max(0, WINDOW_MS - (performance.now() - sent)));
      windows.push([sent, performance.now()]);
    }
    calling = false;
    await loop;
    const inWindow = ([from, to]: [number, number]): Sample[] => samples.filter((s) => s.at >= from && s.at < to);
    const longest = (w: [number, number]): number => Math.max(0, ...inWindow(w).map((s) => s.ms));
    return {
      quietMs: quiet.map(longest),
      stallsMs: windows.map(longest),
      overDeadline: windows.flatMap(inWindow).filter((s) => s.ms > SDK_DEFAULT_DEADLINE_MS).length,
      calls: samples.length,
    };
  } finally {
    await client.close();
    publisher?.close();
    for (const p of procs.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

/**
 * The longest stall of answers during an activation, as a ratio to the same client's longest answer
 * in a window of the same length with no publish (one such window just before each publish). BENCH_STALL_BEFORE=path/to/an/older/server/dist/main.js runs that program first in
 * the same run (same load generator, same box) for a before/after pair.
 */
export async function publishStallBench(log: (line: string) => void, before: string | undefined): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const [label, main] of before
    ? [['before', before] as const, ['after', TPLUS_MAIN] as const]
    : [['this build', TPLUS_MAIN] as const]) {
    const r = await publishStallRun(main);
    const m = median(r.stallsMs);
    const q = median(r.quietMs);
    const list = (xs: readonly number[]): string => xs.map((s) => s.toFixed(1)).join(', ');
    log(
      `publish stall (${label}): longest answer per publish ${list(r.stallsMs)} ms (median ${m.toFixed(1)}); ` +
        `per quiet window just before: ${list(r.quietMs)} ms (median ${q.toFixed(1)}); ` +
        `answers over ${SDK_DEFAULT_DEADLINE_MS} ms during publishes: ${r.overDeadline} of ${r.calls} calls`,
    );
    results.push({
      name: `longest answer during a publish (${label})`,
      unit: 'ms',
      value: m,
      min: Math.min(...r.stallsMs),
      max: Math.max(...r.stallsMs),
      baselineName: 'longest answer of the same client, same-length window, no publish (median)',
      baselineValue: q,
      ratio: m / q,
      repetitions: r.stallsMs.length,
    });
  }
  return results;
}
