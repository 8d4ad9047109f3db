// CallOptions.signal against a real sidecar child process (Unix socket, /metrics on loopback,
// --allow-drills: answers are held back by injected latency so that a call is slow enough to abort).
// An aborted call rejects with SettlementError CANCELLED: a caller error, so no fallback, no ledger
// entry and no breaker count.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSettlementClient,
  SettlementError,
  Status,
  type SettlementClient,
  type SettlementClientOptions,
} from '../../client-sdk/src/index.js';
import { callDrillService } from '../../server/src/drill/drill-control-client.js';
import { startLiveSidecar, type LiveSidecar } from '../deploy/live-sidecar.js';

const REQ = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' } as const;
let address = '';
// Answers are held this long while a drill runs; an aborted call must come back long before it.
// The bound leaves seconds of headroom for a loaded 2-core box.
const LATENCY_MS = 6_000;
const ABORTED_WITHIN_MS = 4_000;
let live: LiveSidecar | undefined;
let metricsUrl = '';
const clients: SettlementClient[] = [];

function client(options: Omit<SettlementClientOptions, 'address'> = {}): SettlementClient {
  const c = createSettlementClient({
    address,
    deadlineMs: 20_000,
    breaker: { volumeThreshold: 1, errorThresholdPercentage: 1 },
    ...options,
  });
  clients.push(c);
  return c;
}

/** Items the sidecar received in BatchGetSettlementDates calls (its tplus_batch_items_sum). */
async function batchItems(): Promise<number> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  return Number(/^tplus_batch_items_sum (\d+)$/m.exec(text)?.[1] ?? 'NaN');
}

async function sdkMetric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((n, v) => n + v.value, 0) ?? 0;
}

/** The rejection of `p` (fails the test if it resolves), and how long it took from `startedAt`. */
async function rejection(p: Promise<unknown>, startedAt: number): Promise<{ error: unknown; ms: number }> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(v)}`);
    },
    (error: unknown) => ({ error, ms: performance.now() - startedAt }),
  );
}

function expectCancelled(error: unknown): void {
  expect(error).toBeInstanceOf(SettlementError);
  expect({
    code: (error as SettlementError).code,
    reason: (error as SettlementError).reason,
    caller: (error as SettlementError).isCallerError,
  }).toEqual({
    code: Status.CANCELLED,
    reason: 'CANCELLED',
    caller: true,
  });
}

async function withLatency<T>(fn: () => Promise<T>): Promise<T> {
  await callDrillService(address, 'InjectLatency', { latencyMs: LATENCY_MS, durationMs: 30_000 });
  try {
    return await fn();
  } finally {
    await callDrillService(address, 'ClearDrills', {});
  }
}

beforeAll(async () => {
  live = await startLiveSidecar(['--allow-drills']);
  address = live.address;
  metricsUrl = live.metricsUrl;
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await live?.stop();
});

describe('CallOptions.signal (RPC mode, unary)', () => {
  it('aborting a slow call cancels its RPC and rejects with CANCELLED: no fallback, no ledger entry, no breaker count', async () => {
    const registry = new Registry();
    const c = client({ coalesce: false, registry });
    await c.ready();
    await c.getSettlementDate(REQ);
    const results = await withLatency(async () => {
      const out: { error: unknown; ms: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const ac = new AbortController();
        const started = performance.now();
        const p = c.getSettlementDateDetails(REQ, { signal: ac.signal });
        setTimeout(() => ac.abort(new Error('trade capture gave up')), 100);
        out.push(await rejection(p, started));
      }
      return out;
    });
    for (const r of results) {
      expectCancelled(r.error);
      expect((r.error as SettlementError).cause).toEqual(new Error('trade capture gave up'));
      expect(r.ms).toBeLessThan(ABORTED_WITHIN_MS);
    }
    expect(c.ledger.all()).toEqual([]);
    expect(c.breakerState('GetSettlementDate')).toBe('closed');
    expect(await sdkMetric(registry, 'tplus_client_requests_total', { outcome: 'caller_error' })).toBe(3);
    expect(await sdkMetric(registry, 'tplus_client_fallbacks_total', {})).toBe(0);
    expect((await c.getSettlementDateDetails(REQ)).source).toBe('service');
  });

  it('an already aborted signal rejects at once, before anything is sent', async () => {
    const c = client({ coalesce: false });
    await c.ready();
    const { error } = await rejection(c.getSettlementDate(REQ, { signal: AbortSignal.abort() }), performance.now());
    expectCancelled(error);
    expect(c.ledger.all()).toEqual([]);
  });

  it('getSettlementDates: aborting cancels the batch RPC and rejects with CANCELLED', async () => {
    const c = client();
    await c.ready();
    const { error, ms } = await withLatency(async () => {
      const ac = new AbortController();
      const started = performance.now();
      const p = c.getSettlementDates([REQ, REQ], { signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      return rejection(p, started);
    });
    expectCancelled(error);
    expect(ms).toBeLessThan(ABORTED_WITHIN_MS);
    expect(c.ledger.all()).toEqual([]);
    expect(c.breakerState('BatchGetSettlementDates')).toBe('closed');
  });
});

describe('CallOptions.signal (RPC mode, coalesced)', () => {
  it('a call aborted before its batch is sent is dropped from the batch; the others are answered', async () => {
    const c = client();
    await c.ready();
    await c.getSettlementDate(REQ);
    const before = await batchItems();
    const ac = new AbortController();
    const a = c.getSettlementDateDetails(REQ);
    const b = c.getSettlementDateDetails(REQ, { signal: ac.signal });
    const d = c.getSettlementDateDetails(REQ);
    ac.abort(); // same turn: the batch has not left yet
    const { error } = await rejection(b, performance.now());
    expectCancelled(error);
    expect([(await a).source, (await d).source]).toEqual(['service', 'service']);
    expect((await batchItems()) - before).toBe(2);
  });

  it('a call aborted while its batch is in flight rejects at once; the batch goes on for the others', async () => {
    const c = client();
    await c.ready();
    await c.getSettlementDate(REQ);
    const { aborted, other } = await withLatency(async () => {
      const ac = new AbortController();
      const started = performance.now();
      const other = c.getSettlementDateDetails(REQ);
      const p = c.getSettlementDateDetails(REQ, { signal: ac.signal });
      setTimeout(() => ac.abort(), 200);
      const aborted = await rejection(p, started);
      return { aborted, other: await other };
    });
    expectCancelled(aborted.error);
    expect(aborted.ms).toBeLessThan(ABORTED_WITHIN_MS);
    expect(other.source).toBe('service');
    expect(c.ledger.all()).toEqual([]);
    expect(c.breakerState('GetSettlementDate')).toBe('closed');
  });
});

describe('CallOptions.signal (in-process mode)', () => {
  it('is checked before answering: an aborted signal rejects with CANCELLED, a live one is answered', async () => {
    const c = client({ mode: 'in-process' });
    await c.ready();
    const { error } = await rejection(c.getSettlementDateDetails(REQ, { signal: AbortSignal.abort() }), performance.now());
    expectCancelled(error);
    const batch = await rejection(c.getSettlementDates([REQ], { signal: AbortSignal.abort() }), performance.now());
    expectCancelled(batch.error);
    expect((await c.getSettlementDateDetails(REQ, { signal: new AbortController().signal })).source).toBe('in-process');
  });

  it('a signal that is not an AbortSignal is a TypeError naming the option', async () => {
    const c = client({ coalesce: false });
    await expect(c.getSettlementDate(REQ, { signal: 'stop' as unknown as AbortSignal })).rejects.toThrow(
      /signal must be an AbortSignal, got "stop"/,
    );
  });
});
