// Coalesced calls in RPC mode (issue 14, part 4) against a real sidecar child process on a Unix socket,
// with its /metrics on loopback (the batch count is read from the sidecar, not from the SDK) and
// --allow-drills (latency injected through DrillService for the deadline-miss test).
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSettlementClient,
  SettlementError,
  type AlertEvent,
  type SettlementClient,
  type SettlementClientOptions,
} from '../../client-sdk/src/index.js';
import { callDrillService } from '../../server/src/drill/drill-control-client.js';
import { startLiveSidecar, type LiveSidecar } from '../deploy/live-sidecar.js';
import { spawnSidecar } from '../integration/sidecar-process.js';

const REQ = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' } as const;
let address = '';
/** The running sidecar's temp dir (a second sidecar and a dead socket go there too). */
const liveDir = (): string => live?.dir ?? '';
let live: LiveSidecar | undefined;
let metricsUrl = '';
const clients: SettlementClient[] = [];

function client(options: Omit<SettlementClientOptions, 'address'> = {}): SettlementClient {
  const c = createSettlementClient({ address, deadlineMs: 5_000, ...options });
  clients.push(c);
  return c;
}

/** The sidecar's tplus_requests_total for one method, summed over status codes. */
async function sidecarRequests(method: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let n = 0;
  for (const m of text.matchAll(/^tplus_requests_total\{method="([^"]+)",code="[^"]+"\} (\d+)$/gm)) if (m[1] === method) n += Number(m[2]);
  return n;
}

async function requestCounts(): Promise<{ batch: number; unary: number }> {
  return { batch: await sidecarRequests('BatchGetSettlementDates'), unary: await sidecarRequests('GetSettlementDate') };
}

async function sdkMetric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((n, v) => n + v.value, 0) ?? 0;
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

describe('coalesced calls (RPC mode, the default)', () => {
  it('ready() resolves once the channel to the sidecar is ready', async () => {
    await expect(client().ready({ timeoutMs: 10_000 })).resolves.toBeUndefined();
  });

  it('10,000 concurrent calls travel as at most 10 BatchGetSettlementDates RPCs, and no unary call', async () => {
    const registry = new Registry();
    const c = client({ registry });
    await c.ready({ timeoutMs: 10_000 });
    const before = await requestCounts();
    const days = ['2024-05-24', '2024-05-28', '2024-06-03', '2023-03-01'];
    const expected = ['2024-05-29', '2024-05-29', '2024-06-04', '2023-03-03'];
    const answers = await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => c.getSettlementDateDetails({ ...REQ, tradeDate: days[i % 4] as string })),
    );
    const after = await requestCounts();
    expect(answers.every((a, i) => a.source === 'service' && a.settlementDate === expected[i % 4])).toBe(true);
    expect(after.batch - before.batch).toBeGreaterThan(0);
    expect(after.batch - before.batch).toBeLessThanOrEqual(10);
    expect(after.unary).toBe(before.unary);
    // Metrics stay per call: one request per caller, under the method the caller called.
    expect(await sdkMetric(registry, 'tplus_client_requests_total', { method: 'GetSettlementDate', outcome: 'service' })).toBe(10_000);
    expect(await sdkMetric(registry, 'tplus_client_requests_total', { method: 'BatchGetSettlementDates' })).toBe(0);
  });

  it('a bad item fails only its own caller, with the same SettlementError as the unary path; the rest of the batch succeeds', async () => {
    const registry = new Registry();
    const c = client({ registry });
    const unary = client({ coalesce: false });
    await c.ready({ timeoutMs: 10_000 });
    const bad = [
      { ...REQ, market: 'QQQQ' }, // NO_RULE
      { ...REQ, tradeDate: '2025-01-09' }, // NOT_A_TRADING_DAY (NYSE closed, DTC settles)
      { ...REQ, rulesetVersion: 999 }, // VERSION_NOT_HELD
    ];
    const viaUnary = await Promise.all(
      bad.map((r) =>
        unary.getSettlementDate(r).then(
          () => null,
          (e: unknown) => e,
        ),
      ),
    );
    const before = await requestCounts();
    const calls = Array.from({ length: 300 }, (_, i) => (i % 100 === 50 ? (bad[i / 100 - 0.5] as typeof REQ) : REQ));
    const settled = await Promise.allSettled(calls.map((r) => c.getSettlementDate(r)));
    const after = await requestCounts();
    expect(after.batch - before.batch).toBe(1);
    expect(after.unary).toBe(before.unary);
    const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [[i, s.reason as unknown]] : []));
    expect(failures.map(([i]) => i)).toEqual([50, 150, 250]);
    failures.forEach(([, err], k) => {
      const u = viaUnary[k] as SettlementError;
      expect(u).toBeInstanceOf(SettlementError);
      expect(err).toBeInstanceOf(SettlementError);
      const e = err as SettlementError;
      expect({ code: e.code, reason: e.reason, message: e.message }).toEqual({ code: u.code, reason: u.reason, message: u.message });
    });
    expect((viaUnary as SettlementError[]).map((e) => `${e.code}/${e.reason}`)).toEqual([
      '5/NO_RULE',
      '9/NOT_A_TRADING_DAY',
      '9/VERSION_NOT_HELD',
    ]);
    expect(settled.filter((s) => s.status === 'fulfilled' && s.value === '2024-05-29')).toHaveLength(297);
    expect(await sdkMetric(registry, 'tplus_client_requests_total', { method: 'GetSettlementDate', outcome: 'caller_error' })).toBe(3);
    expect(await sdkMetric(registry, 'tplus_client_fallbacks_total', {})).toBe(0);
    expect(c.ledger.all()).toEqual([]);
  });

  it('a deadline miss falls back only for the calls of that batch: calls with a longer deadline and later batches succeed', async () => {
    const registry = new Registry();
    const alerts: AlertEvent[] = [];
    const c = client({ registry, deadlineMs: 150, onAlert: (a) => alerts.push(a) });
    await c.ready({ timeoutMs: 10_000 });
    await c.getSettlementDate(REQ); // the channel is warm before the clock matters
    const before = await requestCounts();
    // Every answer is held 600 ms: the 150 ms batch misses its deadline, the 5 s one does not.
    await callDrillService(address, 'InjectLatency', { latencyMs: 600, durationMs: 10_000 });
    let slow: PromiseSettledResult<unknown>[];
    try {
      const short = Array.from({ length: 50 }, () => c.getSettlementDateDetails(REQ));
      const long = Array.from({ length: 50 }, () => c.getSettlementDateDetails(REQ, { deadlineMs: 5_000 }));
      slow = await Promise.allSettled([...short, ...long]);
    } finally {
      await callDrillService(address, 'ClearDrills', {});
    }
    const later = await Promise.all(Array.from({ length: 50 }, () => c.getSettlementDateDetails(REQ)));
    const after = await requestCounts();
    const sources = slow.map((s) => (s.status === 'fulfilled' ? (s.value as { source: string; errorCode?: string }) : { source: 'threw' }));
    expect(sources.slice(0, 50).every((s) => s.source === 'fallback' && s.errorCode === 'DEADLINE_EXCEEDED')).toBe(true);
    expect(sources.slice(50).every((s) => s.source === 'service')).toBe(true);
    expect(later.every((d) => d.source === 'service' && d.settlementDate === '2024-05-29')).toBe(true);
    expect(after.batch - before.batch).toBe(3); // short, long, later: one batch each
    expect(after.unary).toBe(before.unary);
    // Counted once per caller in metrics and the ledger, once per incident in alerts.
    expect(await sdkMetric(registry, 'tplus_client_fallbacks_total', { method: 'GetSettlementDate', reason: 'DEADLINE_EXCEEDED' })).toBe(
      50,
    );
    expect(await sdkMetric(registry, 'tplus_client_requests_total', { method: 'GetSettlementDate', outcome: 'fallback' })).toBe(50);
    expect(c.ledger.open()).toHaveLength(50);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'fallback',
      method: 'GetSettlementDate',
      errorCode: 'DEADLINE_EXCEEDED',
      fallbacksSinceLastAlert: 1,
    });
    expect(c.breakerState('GetSettlementDate')).toBe('closed');
  });

  it('calls in later turns within coalesce.windowMs share one batch', async () => {
    const c = client({ coalesce: { windowMs: 200 } });
    await c.ready({ timeoutMs: 10_000 });
    const before = await requestCounts();
    const pending: Promise<string>[] = [];
    for (let i = 0; i < 5; i++) {
      pending.push(c.getSettlementDate(REQ));
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(pending)).toEqual(Array(5).fill('2024-05-29'));
    expect((await requestCounts()).batch - before.batch).toBe(1);
  });

  it('coalesce.maxItems bounds a batch: 250 calls with maxItems 100 are 3 batches', async () => {
    const c = client({ coalesce: { maxItems: 100 } });
    await c.ready({ timeoutMs: 10_000 });
    const before = await requestCounts();
    await Promise.all(Array.from({ length: 250 }, () => c.getSettlementDate(REQ)));
    expect((await requestCounts()).batch - before.batch).toBe(3);
  });

  it('coalesce: false sends one unary GetSettlementDate per call, as before', async () => {
    const c = client({ coalesce: false });
    await c.ready({ timeoutMs: 10_000 });
    const before = await requestCounts();
    expect(await Promise.all(Array.from({ length: 20 }, () => c.getSettlementDate(REQ)))).toEqual(Array(20).fill('2024-05-29'));
    const after = await requestCounts();
    expect(after.unary - before.unary).toBe(20);
    expect(after.batch).toBe(before.batch);
  });
});

describe('coalesced calls against a sidecar with a lower --max-batch-items', () => {
  it('each caller of a batch the sidecar refuses as a whole gets INVALID_ARGUMENT BATCH_TOO_LARGE, never a fallback', async () => {
    const small = spawnSidecar([
      '--data-dir',
      join(liveDir(), 'small-data'),
      '--socket',
      join(liveDir(), 'small.sock'),
      '--listen',
      'off',
      '--metrics-listen',
      'off',
      '--max-batch-items',
      '5',
    ]);
    try {
      await small.waitFor('serving');
      const c = createSettlementClient({
        address: `unix://${join(liveDir(), 'small.sock')}`,
        deadlineMs: 5_000,
        coalesce: { maxItems: 10 },
      });
      clients.push(c);
      const settled = await Promise.allSettled(Array.from({ length: 10 }, () => c.getSettlementDateDetails(REQ)));
      expect(
        settled.map((s) =>
          s.status === 'rejected' ? `${(s.reason as SettlementError).code}/${(s.reason as SettlementError).reason}` : 'answered',
        ),
      ).toEqual(Array(10).fill('3/BATCH_TOO_LARGE'));
      expect(c.ledger.all()).toEqual([]);
    } finally {
      small.child.kill('SIGKILL');
      await small.exited;
    }
  });
});

describe('coalesce options and ready()', () => {
  it.each([
    [{ coalesce: { windowMs: -1 } }, /coalesce\.windowMs must be .*got -1/],
    [{ coalesce: { windowMs: Number.NaN } }, /coalesce\.windowMs must be .*got NaN/],
    [{ coalesce: { windowMs: 60 }, deadlineMs: 50 }, /coalesce\.windowMs \(60\) must be less than deadlineMs \(50\)/],
    [{ coalesce: { maxItems: 0 } }, /coalesce\.maxItems must be an integer from 1 to 10000, got 0/],
    [{ coalesce: { maxItems: 1.5 } }, /coalesce\.maxItems must be an integer from 1 to 10000, got 1\.5/],
    [{ coalesce: { maxItems: 10_001 } }, /coalesce\.maxItems must be an integer from 1 to 10000, got 10001/],
    [{ coalesce: true }, /coalesce must be false or an object \{ windowMs, maxItems \}, got true/],
  ])('refuses %j with a TypeError naming the option', (options, message) => {
    expect(() => createSettlementClient({ address, ...(options as object) })).toThrow(TypeError);
    expect(() => createSettlementClient({ address, ...(options as object) })).toThrow(message);
  });

  it('ready() rejects with SettlementError DEADLINE_EXCEEDED after timeoutMs when nothing listens', async () => {
    const down = createSettlementClient({ address: `unix://${join(liveDir(), 'nobody.sock')}` });
    clients.push(down);
    const t0 = performance.now();
    const err = await down.ready({ timeoutMs: 300 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(err).toBeInstanceOf(SettlementError);
    expect(err).toMatchObject({ code: 4, reason: 'DEADLINE_EXCEEDED' });
    expect((err as Error).message).toContain('nobody.sock');
  });

  it('ready() refuses a bad timeoutMs with a TypeError naming it', async () => {
    const c = client({});
    await expect(c.ready({ timeoutMs: 0 })).rejects.toThrow(TypeError);
    await expect(c.ready({ timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive number, got 0/);
  });
});
