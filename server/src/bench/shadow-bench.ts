import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, credentials, Metadata, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { formatDay, parseDay, weekdayOf } from '@tplus/core';
import {
  authMetadata,
  generateSigningKeys,
  grpcTarget,
  packFiles,
  registryServiceDefinition,
  rolloutServiceDefinition,
} from '../registry/index.js';
import { shadowServiceDefinition } from '../sidecar/index.js';
import { call, createStub, runLoad, type LoadResult } from './load.js';
import { stats, type BenchResult } from './measure.js';
import { freePort, ServerProcess } from './server-process.js';
import { withClosure } from './registry-scenario.js';

const TPLUS_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const TOKEN = 'bench-publish-token-0123456789';

function unaryCall<T>(client: Client, def: ServiceDefinition, method: string, request: object, token: string | null): Promise<T> {
  const m = def[method];
  if (!m) throw new Error(method);
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      request,
      token === null ? new Metadata() : authMetadata(token),
      { deadline: Date.now() + 60_000 },
      (e: ServiceError | null, v?: unknown) => (e ? reject(e) : resolve(v as T)),
    ),
  );
}

/** Polls (bounded: 300 tries, 30 s) until the sidecar shadows `version` (0 = nothing). */
async function untilShadow(sidecar: Client, version: number): Promise<void> {
  const end = Date.now() + 30_000;
  for (let i = 0; i < 300 && Date.now() < end; i++) {
    const r = await unaryCall<{ version: number }>(sidecar, shadowServiceDefinition(), 'GetShadowReport', {}, null);
    if (r.version === version) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`the sidecar did not shadow version ${version} within 30 s`);
}

/**
 * Unary throughput of a sidecar following a registry, with and without a shadow candidate (published
 * and aborted in each repetition, so machine noise hits both alike). With a candidate every answered
 * call is also offered for shadow evaluation off the response path; the figure says what that costs.
 */
export async function shadowBench(repetitions: number, durationMs: number, log: (line: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-shadow-bench-'));
  const keys = generateSigningKeys(join(dir, 'keys'));
  writeFileSync(join(dir, 'tokens'), `publish ${TOKEN}\n`);
  const socket = join(dir, 'registry.sock');
  const port = await freePort();
  const registry = await ServerProcess.start(
    [
      TPLUS_MAIN,
      'registry',
      '--data-dir',
      join(dir, 'reg'),
      '--listen',
      `unix:${socket}`,
      '--signing-key',
      keys.privateKeyFile,
      '--tokens',
      join(dir, 'tokens'),
      '--metrics-listen',
      'off',
    ],
    { socket },
  );
  const publisher = new Client(grpcTarget(`unix:${socket}`), credentials.createInsecure());
  const base = packFiles(RULES);
  const results: BenchResult[] = [];
  let sidecar: ServerProcess | null = null;
  const control = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    await unaryCall(publisher, registryServiceDefinition(), 'Publish', { files: base, reason: 'bench base', author: 'bench' }, TOKEN);
    sidecar = await ServerProcess.start(
      [
        TPLUS_MAIN,
        'serve',
        '--registry',
        `unix:${socket}`,
        '--registry-public-key',
        keys.publicKeyFile,
        '--data-dir',
        join(dir, 'sc'),
        '--socket',
        'off',
        '--listen',
        `127.0.0.1:${port}`,
        '--metrics-listen',
        'off',
        '--sidecar-id',
        'bench',
      ],
      { port },
    );
    const rows: object[] = [];
    for (let d = parseDay('2031-01-02'); rows.length < 256; d++)
      if (weekdayOf(d) % 6 !== 0) rows.push({ tradeDate: formatDay(d), assetClass: 'EQUITY', market: 'XNYS', allowNonTradingDay: true });
    for (const concurrency of [8, 64]) {
      const without: LoadResult[] = [];
      const withShadow: LoadResult[] = [];
      let dropped = 0;
      let evaluated = 0;
      for (let r = 0; r < repetitions; r++) {
        const stub = createStub(`127.0.0.1:${port}`);
        try {
          await runLoad((i) => call(stub, 'GetSettlementDate', rows[i & 255]), concurrency, Math.min(300, durationMs), 1);
          without.push(await runLoad((i) => call(stub, 'GetSettlementDate', rows[i & 255]), concurrency, durationMs, 1));
          const date = `2031-0${1 + (r % 9)}-1${concurrency === 8 ? 4 : 5}`;
          const c = await unaryCall<{ version: { version: number } }>(
            publisher,
            rolloutServiceDefinition(),
            'PublishCandidate',
            { files: withClosure(base, date), reason: 'bench candidate', author: 'bench', expectChanges: ['2031-01-01..2031-12-31'] },
            TOKEN,
          );
          await untilShadow(control, c.version.version);
          await runLoad((i) => call(stub, 'GetSettlementDate', rows[i & 255]), concurrency, Math.min(300, durationMs), 1);
          withShadow.push(await runLoad((i) => call(stub, 'GetSettlementDate', rows[i & 255]), concurrency, durationMs, 1));
          const report = await unaryCall<{
            totals: { same: number; expectedChange: number; unexpectedChange: number; error: number; dropped: number };
          }>(control, shadowServiceDefinition(), 'GetShadowReport', {}, null);
          dropped += report.totals.dropped;
          evaluated += report.totals.same + report.totals.expectedChange + report.totals.unexpectedChange + report.totals.error;
          await unaryCall(publisher, rolloutServiceDefinition(), 'Abort', { version: c.version.version, reason: 'bench' }, TOKEN);
          await untilShadow(control, 0);
        } finally {
          stub.close();
        }
      }
      const w = stats(withShadow.map((x) => x.callsPerSecond));
      const o = stats(without.map((x) => x.callsPerSecond));
      const name = `sidecar unary c=${concurrency} with a shadow candidate (tcp)`;
      results.push({
        name,
        unit: 'calls/s',
        value: w.median,
        min: w.min,
        max: w.max,
        baselineName: `the same sidecar without a candidate`,
        baselineValue: o.median,
        ratio: w.median / o.median,
        repetitions,
      });
      const p99w = stats(withShadow.map((x) => x.p99Ms)).median;
      const p99o = stats(without.map((x) => x.p99Ms)).median;
      log(
        `${name.padEnd(52)} median ${w.median.toFixed(0)} calls/s = ${(w.median / o.median).toFixed(2)}x without (${o.median.toFixed(0)}); p99 ${p99w.toFixed(3)} ms (without ${p99o.toFixed(3)}); shadow evaluated ${evaluated}, not evaluated (queue full) ${dropped}`,
      );
    }
  } finally {
    control.close();
    publisher.close();
    await Promise.all([sidecar?.stop(), registry.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
