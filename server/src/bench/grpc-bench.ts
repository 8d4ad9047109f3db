import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dayToYmdInt, formatDay, parseDay, weekdayOf } from '@tplus/core';
import { stats, type BenchResult } from './measure.js';
import { call, createStub, runLoad, runStream, type LoadResult } from './load.js';
import { freePort, ServerProcess } from './server-process.js';

/** The sidecar starts as `npm start`, the image and the systemd unit start it: through the one launcher. */
const LAUNCHER = fileURLToPath(new URL('../../../bin/tplus', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-server.js', import.meta.url));

/** Weekday trade dates in 2023..2025 (a few are NYSE holidays; allow_non_trading_day keeps them valid). */
function tradeDays(n: number): number[] {
  const out: number[] = [];
  for (let d = parseDay('2023-01-02'); out.length < n; d++) if (weekdayOf(d) % 6 !== 0) out.push(d);
  return out;
}

interface Scenario {
  readonly name: string;
  readonly unit: 'calls/s' | 'items/s';
  readonly concurrency: number;
  readonly items: number;
  readonly send: (stub: ReturnType<typeof createStub>, i: number) => Promise<unknown>;
}

function scenarios(): Scenario[] {
  const days = tradeDays(256);
  const rows = days.map((d) => ({ tradeDate: formatDay(d), assetClass: 'EQUITY', market: 'XNYS', allowNonTradingDay: true }));
  const batch = (n: number) => ({ items: Array.from({ length: n }, (_, i) => rows[i % rows.length]) });
  const columnar = (n: number) => ({
    tradeDates: Array.from({ length: n }, (_, i) => dayToYmdInt(days[i % days.length] as number)),
    keys: [{ assetClass: 'EQUITY', market: 'XNYS' }],
    keyIndexes: new Array<number>(n).fill(0),
    allowNonTradingDay: true,
  });
  const unary = (c: number): Scenario => ({
    name: `unary c=${c}`,
    unit: 'calls/s',
    concurrency: c,
    items: 1,
    send: (s, i) => call(s, 'GetSettlementDate', rows[i & 255]),
  });
  const b100 = batch(100);
  const b1000 = batch(1000);
  const c1000 = columnar(1000);
  const c10000 = columnar(10_000);
  return [
    unary(1),
    unary(8),
    unary(64),
    unary(256),
    { name: 'row batch 100 c=8', unit: 'items/s', concurrency: 8, items: 100, send: (s) => call(s, 'BatchGetSettlementDates', b100) },
    { name: 'row batch 1000 c=8', unit: 'items/s', concurrency: 8, items: 1000, send: (s) => call(s, 'BatchGetSettlementDates', b1000) },
    {
      name: 'columnar 1000 c=8',
      unit: 'items/s',
      concurrency: 8,
      items: 1000,
      send: (s) => call(s, 'BatchGetSettlementDatesColumnar', c1000),
    },
    {
      name: 'columnar 10000 c=4',
      unit: 'items/s',
      concurrency: 4,
      items: 10_000,
      send: (s) => call(s, 'BatchGetSettlementDatesColumnar', c10000),
    },
  ];
}

async function measure(
  server: ServerProcess,
  address: string,
  sc: Scenario,
  durationMs: number,
): Promise<LoadResult & { serverCpuUsPerCall: number }> {
  const stub = createStub(address);
  try {
    await runLoad((i) => sc.send(stub, i), sc.concurrency, Math.min(300, durationMs), sc.items); // warm-up
    const cpu0 = server.cpuSeconds();
    const r = await runLoad((i) => sc.send(stub, i), sc.concurrency, durationMs, sc.items);
    return { ...r, serverCpuUsPerCall: ((server.cpuSeconds() - cpu0) * 1e6) / r.calls };
  } finally {
    stub.close();
  }
}

/**
 * The sidecar against a bare grpc-js server answering constants, over UDS and TCP, alternating the two
 * servers in each repetition so that machine noise hits both alike.
 */
export async function grpcBench(repetitions: number, durationMs: number, log: (line: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-bench-'));
  const results: BenchResult[] = [];
  try {
    const tcpSidecar = await freePort();
    const tcpBare = await freePort();
    const sidecar = await ServerProcess.start(
      [
        'serve',
        '--data-dir',
        join(dir, 'data'),
        '--socket',
        join(dir, 'sidecar.sock'),
        '--listen',
        `127.0.0.1:${tcpSidecar}`,
        '--metrics-listen',
        'off',
      ],
      { port: tcpSidecar },
      undefined,
      LAUNCHER,
    );
    const bareUds = await ServerProcess.start([BARE, `unix:${join(dir, 'bare.sock')}`], { socket: join(dir, 'bare.sock') });
    // Idle means after start-up has settled: the sidecar logs heap_settled once it has given back the young
    // generation that building the pack grew (server/src/runtime/heap-settle.ts); the bare server idles as long.
    const settled = await sidecar.waitForLog('"heap_settled"', 40_000);
    if (!settled) log('sidecar RSS idle: no heap_settled within 40 s; measuring anyway');
    const idleRss = sidecar.rssBytes();
    const bareIdleRss = bareUds.rssBytes();
    // Which part a reading comes from: a rare high reading (83-105 MiB against 68-72 usually) was seen on
    // this box without the split to explain it (bench/README.md, "Sidecar idle RSS").
    const mib = (b: number): string => (b / 1048576).toFixed(1);
    const split = (p: ServerProcess): string => {
      const s = p.rssSplit();
      return `anonymous ${mib(s.anonymousBytes)} MiB, files ${mib(s.fileBytes)} MiB`;
    };
    log(`sidecar RSS idle ${mib(idleRss)} MiB (${split(sidecar)}); bare ${mib(bareIdleRss)} MiB (${split(bareUds)})`);
    results.push({
      name: 'sidecar RSS idle',
      unit: 'MiB',
      value: idleRss / 1048576,
      min: idleRss / 1048576,
      max: idleRss / 1048576,
      baselineName: 'bare grpc-js RSS idle (uds)',
      baselineValue: bareIdleRss / 1048576,
      ratio: idleRss / bareIdleRss,
      repetitions: 1,
    });
    const bareTcp = await ServerProcess.start([BARE, `127.0.0.1:${tcpBare}`], { port: tcpBare });
    try {
      for (const transport of ['uds', 'tcp'] as const) {
        const sidecarAddr = transport === 'uds' ? `unix:${join(dir, 'sidecar.sock')}` : `127.0.0.1:${tcpSidecar}`;
        const bareAddr = transport === 'uds' ? `unix:${join(dir, 'bare.sock')}` : `127.0.0.1:${tcpBare}`;
        const bare = transport === 'uds' ? bareUds : bareTcp;
        for (const sc of scenarios()) {
          const runs = { sidecar: [] as LoadResult[], bare: [] as LoadResult[], sCpu: [] as number[], bCpu: [] as number[] };
          for (let r = 0; r < repetitions; r++) {
            const b = await measure(bare, bareAddr, sc, durationMs);
            const s = await measure(sidecar, sidecarAddr, sc, durationMs);
            runs.bare.push(b);
            runs.sidecar.push(s);
            runs.bCpu.push(b.serverCpuUsPerCall);
            runs.sCpu.push(s.serverCpuUsPerCall);
          }
          const pick = (xs: LoadResult[], f: (x: LoadResult) => number) => stats(xs.map(f));
          const rate = (x: LoadResult) => (sc.unit === 'calls/s' ? x.callsPerSecond : x.itemsPerSecond);
          const s = pick(runs.sidecar, rate);
          const b = pick(runs.bare, rate);
          const name = `sidecar ${sc.name} (${transport})`;
          const base = `bare grpc-js ${sc.name} (${transport})`;
          results.push({
            name,
            unit: sc.unit,
            value: s.median,
            min: s.min,
            max: s.max,
            baselineName: base,
            baselineValue: b.median,
            ratio: s.median / b.median,
            repetitions,
          });
          const sp99 = pick(runs.sidecar, (x) => x.p99Ms);
          const bp99 = pick(runs.bare, (x) => x.p99Ms);
          results.push({
            name: `${name} p99`,
            unit: 'ms',
            value: sp99.median,
            min: sp99.min,
            max: sp99.max,
            baselineName: `${base} p99`,
            baselineValue: bp99.median,
            ratio: sp99.median / bp99.median,
            repetitions,
          });
          const sCpu = stats(runs.sCpu);
          const cCpu = pick(runs.sidecar, (x) => x.clientCpuUsPerCall);
          log(
            `${name.padEnd(44)} median ${s.median.toFixed(0)} ${sc.unit} = ${(s.median / b.median).toFixed(2)}x bare; p50 ${pick(runs.sidecar, (x) => x.p50Ms).median.toFixed(3)} p99 ${sp99.median.toFixed(3)} p99.9 ${pick(runs.sidecar, (x) => x.p999Ms).median.toFixed(3)} ms (bare p99 ${bp99.median.toFixed(3)}); cpu/call server ${sCpu.median.toFixed(1)} µs (bare ${stats(runs.bCpu).median.toFixed(1)}), client ${cCpu.median.toFixed(1)} µs`,
          );
        }
      }
      for (const transport of ['uds', 'tcp'] as const) {
        const sidecarAddr = transport === 'uds' ? `unix:${join(dir, 'sidecar.sock')}` : `127.0.0.1:${tcpSidecar}`;
        const bareAddr = transport === 'uds' ? `unix:${join(dir, 'bare.sock')}` : `127.0.0.1:${tcpBare}`;
        const rows = tradeDays(256).map((d) => ({
          tradeDate: formatDay(d),
          assetClass: 'EQUITY',
          market: 'XNYS',
          allowNonTradingDay: true,
        }));
        const s: number[] = [];
        const b: number[] = [];
        for (let r = 0; r < repetitions; r++) {
          for (const [addr, out] of [
            [bareAddr, b],
            [sidecarAddr, s],
          ] as const) {
            const stub = createStub(addr);
            try {
              await runStream(stub, rows, 256, Math.min(300, durationMs));
              out.push(await runStream(stub, rows, 256, durationMs));
            } finally {
              stub.close();
            }
          }
        }
        const sm = stats(s);
        const bm = stats(b);
        const name = `sidecar bidi stream window 256 (${transport})`;
        results.push({
          name,
          unit: 'msgs/s',
          value: sm.median,
          min: sm.min,
          max: sm.max,
          baselineName: `bare grpc-js bidi stream window 256 (${transport})`,
          baselineValue: bm.median,
          ratio: sm.median / bm.median,
          repetitions,
        });
        log(
          `${name.padEnd(44)} median ${sm.median.toFixed(0)} msgs/s = ${(sm.median / bm.median).toFixed(2)}x bare (${bm.median.toFixed(0)})`,
        );
      }
      results.push({
        name: 'sidecar RSS after load',
        unit: 'MiB',
        value: sidecar.rssBytes() / 1048576,
        min: 0,
        max: 0,
        baselineName: 'bare grpc-js RSS after load (tcp)',
        baselineValue: bareTcp.rssBytes() / 1048576,
        ratio: sidecar.rssBytes() / bareTcp.rssBytes(),
        repetitions: 1,
      });
    } finally {
      await Promise.all([sidecar.stop(), bareUds.stop(), bareTcp.stop()]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
