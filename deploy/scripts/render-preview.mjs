#!/usr/bin/env node
/* global setTimeout, clearTimeout, fetch, AbortSignal -- Node 20 globals */
// Renders docs/dashboard-preview.svg from a short live run (about 22 s, hard limit 30 s): a real
// sidecar process, a real SDK client sending ~500 GetSettlementDate calls/s over the Unix socket, the
// sidecar SIGKILLed at 7 s and restarted at 13 s. Every 500 ms it samples what the dashboard plots:
// decisions/s (rate of the sidecar's tplus_decisions_total, scraped from its /metrics), the SDK's
// tplus_client_fallbacks_total and tplus_client_breaker_state.
//
//   npm run build && node deploy/scripts/render-preview.mjs [out.svg]
//
// Sampled directly rather than through Prometheus so that it runs anywhere Node does; the real
// Prometheus path is covered by test/deploy/prometheus-scrape.test.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { renderChart } from './svg-chart.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'docs/dashboard-preview.svg'));
const RUN_MS = 22_000;
const KILL_AT_MS = 7_000;
const RESTART_AT_MS = 13_000;
const SAMPLE_MS = 500;
const CALLS_PER_TICK = 5; // every 10 ms

let sdk;
try {
  sdk = await import('@tplus/client-sdk');
} catch (e) {
  console.error(`cannot load @tplus/client-sdk (${e.message}); run "npm run build" first`);
  process.exit(2);
}

const hardStop = setTimeout(() => {
  console.error('render-preview: over 30 s, giving up');
  sidecar?.child.kill('SIGKILL');
  process.exit(1);
}, 30_000);

const dir = mkdtempSync(join(tmpdir(), 'tplus-preview-'));
const socket = join(dir, 'tplus.sock');

/** Starts `tplus serve`; resolves with its /metrics URL once it logs `serving`. */
function startSidecar() {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'server/dist/main.js'),
      'serve',
      '--data-dir',
      join(dir, 'data'),
      '--socket',
      socket,
      '--listen',
      'off',
      '--metrics-listen',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const ready = new Promise((resolveReady, reject) => {
    let url = null;
    const timer = setTimeout(() => reject(new Error('sidecar did not start within 10 s')), 10_000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      let log;
      try {
        log = JSON.parse(line);
      } catch {
        return;
      }
      if (log.event === 'metrics_listening') url = log.url;
      if (log.event === 'serving') {
        clearTimeout(timer);
        resolveReady(url);
      }
    });
    child.once('exit', (code) => reject(new Error(`sidecar exited (${code}) before serving`)));
  });
  return { child, ready };
}

async function scrapeDecisions(url) {
  if (!url) return null;
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(300) })).text();
    let sum = 0;
    for (const m of text.matchAll(/^tplus_decisions_total\{[^}]*\} (\S+)$/gm)) sum += Number(m[1]);
    return sum;
  } catch {
    return null; // down: a gap, as in Prometheus
  }
}

/** Sum of an SDK counter, or the GetSettlementDate value of a gauge, from the app's Registry. */
async function sdkValue(registry, name) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!metric) return 0;
  if (metric.type === 'counter') return metric.values.reduce((n, v) => n + v.value, 0);
  return metric.values.find((v) => v.labels.method === 'GetSettlementDate')?.value ?? 0;
}

let sidecar = startSidecar();
let metricsUrl = await sidecar.ready;
const registry = new Registry();
const client = sdk.createSettlementClient({ address: `unix://${socket}`, deadlineMs: 50, registry });
const REQ = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' };
// Warm up (channel connect, JIT) until 20 answers in a row come from the service, at most 5 s, so
// the timeline starts from a steady state; fallbacks during warm-up are subtracted.
for (let ok = 0, i = 0, until = Date.now() + 5_000; ok < 20 && i < 500 && Date.now() < until; i++) {
  const d = await client.getSettlementDateDetails(REQ);
  ok = d.source === 'service' ? ok + 1 : 0;
  if (d.source !== 'service') await new Promise((r) => setTimeout(r, 100));
}
const baseline = await sdkValue(registry, 'tplus_client_fallbacks_total');
const start = Date.now();
const events = [];
let calls = 0;
let stopLoad = false;

const load = (async () => {
  for (let tick = 0; !stopLoad && tick < RUN_MS / 10 + 100; tick++) {
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CALLS_PER_TICK }, () => client.getSettlementDate(REQ).then(() => calls++)));
    await new Promise((r) => setTimeout(r, Math.max(0, 10 - (Date.now() - t0))));
  }
})();

const samples = [];
let prev = null;
let killed = false;
let restarted = false;
for (let i = 0; i <= RUN_MS / SAMPLE_MS; i++) {
  const target = start + i * SAMPLE_MS;
  await new Promise((r) => setTimeout(r, Math.max(0, target - Date.now())));
  const t = (Date.now() - start) / 1000;
  if (!killed && Date.now() - start >= KILL_AT_MS) {
    killed = true;
    sidecar.child.kill('SIGKILL');
    metricsUrl = null;
    events.push({ t, what: 'SIGKILL' });
  }
  if (killed && !restarted && Date.now() - start >= RESTART_AT_MS) {
    restarted = true;
    events.push({ t, what: 'restart' });
    sidecar = startSidecar();
    sidecar.ready.then((url) => {
      metricsUrl = url;
      events.push({ t: (Date.now() - start) / 1000, what: 'serving' });
    });
  }
  const decisions = await scrapeDecisions(metricsUrl);
  let rate = null;
  if (decisions !== null && prev !== null) rate = (decisions >= prev.v ? decisions - prev.v : decisions) / (t - prev.t); // reset-aware, like rate()
  prev = decisions === null ? null : { t, v: decisions };
  samples.push({
    t,
    rate,
    fallbacks: (await sdkValue(registry, 'tplus_client_fallbacks_total')) - baseline,
    breaker: await sdkValue(registry, 'tplus_client_breaker_state'),
  });
}
stopLoad = true;
await load;
await client.close();
sidecar.child.kill('SIGTERM');
await new Promise((r) => (sidecar.child.exitCode === null ? sidecar.child.once('exit', r) : r()));
rmSync(dir, { recursive: true, force: true });
clearTimeout(hardStop);

const down = { from: events.find((e) => e.what === 'SIGKILL')?.t, to: events.find((e) => e.what === 'serving')?.t };
const svg = renderChart({
  title: 'tplus dashboard preview: sidecar SIGKILLed and restarted under load (live run)',
  subtitle: `${new Date(start).toISOString().slice(0, 19)}Z · ${calls} SDK calls · sampled every ${SAMPLE_MS} ms · node deploy/scripts/render-preview.mjs`,
  band: down.from !== undefined && down.to !== undefined ? { ...down, label: 'sidecar down' } : null,
  panels: [
    { title: 'Decisions/s (rate of tplus_decisions_total, sidecar /metrics)', key: 'rate', unit: '/s', color: '#1f77b4', kind: 'line' },
    {
      title: 'SDK provisional answers (tplus_client_fallbacks_total, cumulative)',
      key: 'fallbacks',
      unit: '',
      color: '#d62728',
      kind: 'line',
    },
    {
      title: 'SDK breaker state, GetSettlementDate (0 closed · 1 half-open · 2 open)',
      key: 'breaker',
      unit: '',
      color: '#ff7f0e',
      kind: 'step',
      max: 2,
    },
  ],
  samples,
  events,
});
writeFileSync(OUT, svg);
const before = samples.filter((s) => s.t < KILL_AT_MS / 1000 && s.rate !== null).map((s) => s.rate);
const after = samples.filter((s) => down.to !== undefined && s.t > down.to + 1 && s.rate !== null).map((s) => s.rate);
const avg = (xs) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);
console.log(
  JSON.stringify({
    out: OUT,
    calls,
    decisionsPerSecondBefore: avg(before),
    decisionsPerSecondAfter: avg(after),
    fallbacks: samples.at(-1)?.fallbacks,
    sidecarDownSeconds: down.to !== undefined && down.from !== undefined ? +(down.to - down.from).toFixed(1) : null,
    runSeconds: (Date.now() - start) / 1000,
  }),
);
