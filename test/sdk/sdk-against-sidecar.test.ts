import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementClient, type AlertEvent, type CorrectedEvent, type SettlementClient } from '../../client-sdk/src/index.js';
import { SidecarProcess } from '../support/sidecar-process.js';

// One real sidecar process on a Unix socket; the test kills, restarts and hangs it (SIGSTOP).
const DEADLINE_MS = 100;
const dir = mkdtempSync(join(tmpdir(), 'tplus-sdk-'));
const sidecar = new SidecarProcess(join(dir, 'data'), join(dir, 's.sock'));
const registry = new Registry();
const alerts: AlertEvent[] = [];
const corrected: CorrectedEvent[] = [];
const breakerEvents: string[] = [];
let client: SettlementClient;

const REQ = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' } as const;

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((n, v) => n + v.value, 0) ?? 0;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  await sidecar.start();
  client = createSettlementClient({
    address: sidecar.address,
    deadlineMs: DEADLINE_MS,
    registry,
    // A 1 s rolling window, so that the successes of the earlier tests have left it before the outage.
    breaker: { volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 500, rollingCountTimeoutMs: 1_000 },
    alertIntervalMs: 60_000,
    onAlert: (a) => alerts.push(a),
  });
  client.on('corrected', (c) => corrected.push(c));
  for (const e of ['breakerOpen', 'breakerHalfOpen', 'breakerClose'] as const) client.on(e, () => breakerEvents.push(e));
  // As an app does at start: the channel is connected before the first trade, so a loaded machine's
  // connection time is not charged to the first call's 100 ms deadline.
  await client.ready({ timeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  sidecar.signal('SIGCONT');
  await sidecar.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('SDK against a real sidecar process', () => {
  it('answers from the service, with rule and ruleset', async () => {
    const d = await client.getSettlementDateDetails(REQ);
    expect(d).toMatchObject({
      settlementDate: '2024-05-29',
      source: 'service',
      provisional: false,
      ruleId: 'us-equity-xnys-t2',
      cycleDays: 2,
    });
    expect(d.rulesetHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await client.getSettlementDate({ ...REQ, tradeDate: '2024-05-28' })).toBe('2024-05-29');
  });

  it('batch: per-item results in order, bad items as typed errors', async () => {
    const r = await client.getSettlementDates([
      REQ,
      { ...REQ, tradeDate: '2024-02-30' },
      { ...REQ, market: 'QQQQ' },
      { ...REQ, tradeDate: '2024-10-11' },
    ]);
    expect(r.map((x) => (x.ok ? x.value.settlementDate : `${x.error.code}/${x.error.reason}`))).toEqual([
      '2024-05-29',
      '3/INVALID_DATE',
      '5/NO_RULE',
      '2024-10-15',
    ]);
  });

  it('INVALID_ARGUMENT and NO_RULE are thrown, never fall back, never trip the breaker, even as 100% of traffic', async () => {
    for (let i = 0; i < 40; i++) {
      await expect(client.getSettlementDate({ ...REQ, market: 'QQQQ' })).rejects.toMatchObject({
        name: 'SettlementError',
        code: 5,
        reason: 'NO_RULE',
      });
      await expect(client.getSettlementDate({ ...REQ, tradeDate: '2025-01-09' })).rejects.toMatchObject({
        code: 9,
        reason: 'NOT_A_TRADING_DAY',
      });
    }
    expect(client.breakerState('GetSettlementDate')).toBe('closed');
    expect(breakerEvents).toEqual([]);
    expect(alerts).toEqual([]);
    expect(client.ledger.all()).toEqual([]);
    expect(await metricValue('tplus_client_requests_total', { outcome: 'caller_error' })).toBe(80);
  });

  const outage = [
    // fallback T+2 weekends-only vs the service's rules
    { tradeDate: '2024-05-24', fallback: '2024-05-28', service: '2024-05-29' }, // Memorial Day: corrected
    { tradeDate: '2024-06-03', fallback: '2024-06-05', service: '2024-06-04' }, // T+1 era: corrected
    { tradeDate: '2023-03-01', fallback: '2023-03-03', service: '2023-03-03' }, // T+2 era, no holiday: confirmed
    { tradeDate: '2024-10-11', fallback: '2024-10-15', service: '2024-10-15' }, // T+1 over Columbus Day = T+2 weekdays: confirmed
  ];

  it('kill -9: calls return provisional T+2 within the deadline; the breaker opens; one alert', async () => {
    await new Promise((r) => setTimeout(r, 1_200));
    await sidecar.stop('SIGKILL');
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 30; i++) {
      const t = outage[i % outage.length] as (typeof outage)[number];
      const t0 = performance.now();
      const d = await client.getSettlementDateDetails({ ...REQ, tradeDate: t.tradeDate });
      answers.push({ d, ms: performance.now() - t0, expected: t.fallback });
    }
    for (const a of answers) {
      expect(a.d).toMatchObject({ source: 'fallback', provisional: true, settlementDate: a.expected });
      expect(a.ms).toBeLessThan(DEADLINE_MS + 10);
    }
    expect(Date.now() - started).toBeLessThan(30 * (DEADLINE_MS + 10));
    expect(breakerEvents).toEqual(['breakerOpen']);
    expect(alerts).toHaveLength(1);
    expect(await metricValue('tplus_client_breaker_state', { method: 'GetSettlementDate' })).toBe(2);
    expect(await metricValue('tplus_client_fallbacks_total', { method: 'GetSettlementDate' })).toBe(30);
    expect(client.ledger.open()).toHaveLength(30);
  });

  it('restart: half-open, then closed; reconcile corrects exactly the answers that differ and confirms the rest', async () => {
    await sidecar.start();
    await until(
      async () => {
        // fallback: false, so that waiting for recovery adds nothing to the provisional ledger
        await client.getSettlementDateDetails(REQ, { fallback: false }).catch(() => undefined);
        return client.breakerState('GetSettlementDate') === 'closed';
      },
      10_000,
      'the breaker to close',
    );
    // A probe that lands while the channel is still reconnecting fails and re-opens the breaker; the
    // cycle repeats every resetTimeout until a probe succeeds.
    expect(breakerEvents[0]).toBe('breakerOpen');
    expect(breakerEvents.slice(-2)).toEqual(['breakerHalfOpen', 'breakerClose']);
    expect(await metricValue('tplus_client_breaker_state', { method: 'GetSettlementDate' })).toBe(0);

    const first = await client.reconcile();
    // 30 fallbacks: 8 each of the two "corrected" trade dates' positions 0 and 1, 7 each of 2 and 3.
    expect(first).toEqual({ checked: 30, confirmed: 14, corrected: 16, rejected: 0, remaining: 0 });
    expect(corrected).toHaveLength(16);
    for (const c of corrected) {
      const t = outage.find((o) => o.tradeDate === c.request.tradeDate);
      expect(c.provisionalDate).toBe(t?.fallback);
      expect(c.serviceDate).toBe(t?.service);
      expect(c.serviceDate).not.toBe(c.provisionalDate);
    }
    // Idempotent: nothing left to check, nothing emitted again.
    expect(await client.reconcile()).toEqual({ checked: 0, confirmed: 0, corrected: 0, rejected: 0, remaining: 0 });
    expect(corrected).toHaveLength(16);
    expect(client.ledger.all().filter((e) => e.status === 'confirmed')).toHaveLength(14);
  });

  it('a hung (SIGSTOPped) sidecar: every call returns within deadline + 10 ms', async () => {
    sidecar.signal('SIGSTOP');
    try {
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        const d = await client.getSettlementDateDetails(REQ);
        const ms = performance.now() - t0;
        expect(d.source).toBe('fallback');
        expect(ms).toBeLessThan(DEADLINE_MS + 10);
      }
    } finally {
      sidecar.signal('SIGCONT');
    }
  });
});
