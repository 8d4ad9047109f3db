import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSettlementClient, type AlertEvent, type SettlementClient } from '../../client-sdk/src/index.js';
import { closedPort } from '../support/free-port.js';

// Nothing listens on the address: every call fails with UNAVAILABLE from a refused connection (real
// socket I/O), while opossum's reset timer and the alert clock run on vitest's fake timers.
const REQ = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' } as const;

let client: SettlementClient;
let alerts: AlertEvent[];
let events: string[];
let registry: Registry;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  alerts = [];
  events = [];
  registry = new Registry();
  client = createSettlementClient({
    address: `127.0.0.1:${await closedPort()}`,
    deadlineMs: 200,
    registry,
    breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 5_000 },
    alertIntervalMs: 10_000,
    healthyPeriodMs: 30_000,
    onAlert: (a) => alerts.push(a),
  });
  for (const e of ['breakerOpen', 'breakerHalfOpen', 'breakerClose'] as const) client.on(e, () => events.push(e));
});

afterEach(async () => {
  await client.close();
  vi.useRealTimers();
});

async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value;
}

describe('breaker reset timeout (fake timers)', () => {
  it('opens after the threshold, stays open for resetTimeout, then half-opens and re-opens on a failed probe', async () => {
    for (let i = 0; i < 4; i++) {
      const d = await client.getSettlementDateDetails(REQ);
      expect(d).toMatchObject({ source: 'fallback', provisional: true, settlementDate: '2024-05-28' });
    }
    expect(events).toEqual(['breakerOpen']);
    expect(client.breakerState('GetSettlementDate')).toBe('open');
    expect(await metric('tplus_client_breaker_state', { method: 'GetSettlementDate' })).toBe(2);
    // While open, calls are answered by the fallback without touching the network.
    expect(await client.getSettlementDateDetails(REQ)).toMatchObject({ source: 'fallback', errorCode: 'BREAKER_OPEN' });

    await vi.advanceTimersByTimeAsync(4_999);
    expect(client.breakerState('GetSettlementDate')).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(client.breakerState('GetSettlementDate')).toBe('halfOpen');
    expect(events).toEqual(['breakerOpen', 'breakerHalfOpen']);
    expect(await metric('tplus_client_breaker_state', { method: 'GetSettlementDate' })).toBe(1);

    // The half-open probe fails (still nothing listening): open again.
    expect(await client.getSettlementDateDetails(REQ)).toMatchObject({ source: 'fallback', errorCode: 'UNAVAILABLE' });
    expect(client.breakerState('GetSettlementDate')).toBe('open');
    expect(events).toEqual(['breakerOpen', 'breakerHalfOpen', 'breakerOpen']);
    // The batch method has its own breaker, untouched.
    expect(client.breakerState('BatchGetSettlementDates')).toBe('closed');
  });

  it('fallback: false gives the infrastructure error instead of an answer', async () => {
    await expect(client.getSettlementDateDetails(REQ, { fallback: false })).rejects.toMatchObject({
      name: 'SettlementError',
      code: 14,
      reason: 'UNAVAILABLE',
    });
  });
});

describe('alert dedupe (fake timers)', () => {
  it('one alert at the first fallback of an incident, then at most one per interval with the count since the last', async () => {
    for (let i = 0; i < 20; i++) await client.getSettlementDate(REQ);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ fallbacksSinceLastAlert: 1, errorCode: 'UNAVAILABLE' });

    await vi.advanceTimersByTimeAsync(9_000);
    await client.getSettlementDate(REQ);
    expect(alerts).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1_000);
    await client.getSettlementDate(REQ);
    expect(alerts).toHaveLength(2);
    expect(alerts[1]?.fallbacksSinceLastAlert).toBe(21);
    expect(alerts[1]?.incidentStartedAt).toBe(alerts[0]?.incidentStartedAt);
    const total = (await registry.getMetricsAsJSON())
      .find((m) => m.name === 'tplus_client_fallbacks_total')
      ?.values.reduce((n, v) => n + v.value, 0);
    expect(total).toBe(22);
  });

  it('a fallback after a healthy period starts a new incident and alerts at once', async () => {
    await client.getSettlementDate(REQ);
    expect(alerts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_001);
    await client.getSettlementDate(REQ);
    expect(alerts).toHaveLength(2);
    expect(alerts[1]?.fallbacksSinceLastAlert).toBe(1);
    expect(alerts[1]?.incidentStartedAt).toBeGreaterThan(alerts[0]?.incidentStartedAt ?? Infinity);
  });

  it('a throwing handler does not stop the other handlers or the call', async () => {
    const seen: string[] = [];
    client.on('fallback', () => {
      throw new Error('handler bug');
    });
    client.on('fallback', (f) => seen.push(f.settlementDate));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(await client.getSettlementDate(REQ)).toBe('2024-05-28');
    expect(seen).toEqual(['2024-05-28']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('a fallback handler threw: handler bug'));
    warn.mockRestore();
  });
});

describe('bad input never falls back, even with the service down', () => {
  it.each([
    [{ ...REQ, tradeDate: '2024-02-30' }, 'INVALID_DATE'],
    [{ ...REQ, market: '' }, 'INVALID_ARGUMENT'],
  ])('%j → %s', async (req, reason) => {
    await expect(client.getSettlementDateDetails(req)).rejects.toMatchObject({ code: 3, reason });
    expect(alerts).toHaveLength(0);
    expect(client.ledger.all()).toHaveLength(0);
  });
});
