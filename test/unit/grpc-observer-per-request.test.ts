import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '@tplus/core';
import { createSettlementServer, type SettlementServer } from '../../server/src/sidecar/create-settlement-server.js';
import type { RequestObserver } from '../../server/src/rpc/request-observer.js';
import { RulesetHolder } from '../../server/src/sidecar/ruleset-holder.js';
import { DEFAULT_LIMITS } from '../../server/src/sidecar/server-limits.js';
import { TestClient, testWatchers } from '../integration/sidecar-harness.js';
import { bundled } from '../support/bundled.js';

/** Records every observer call, so the test can count updates per request. */
class CountingObserver implements RequestObserver {
  calls: string[] = [];
  decided = 0;
  refused = 0;
  requestDone(method: string, code: number): void {
    this.calls.push(`requestDone ${method} ${code}`);
  }
  decisions(rule: Rule, count: number): void {
    this.calls.push(`decisions ${rule.id}`);
    this.decided += count;
  }
  decisionErrors(reason: string, count: number): void {
    this.calls.push(`decisionErrors ${reason}`);
    this.refused += count;
  }
  batchItems(count: number): void {
    this.calls.push(`batchItems ${count}`);
  }
}

describe('metrics are updated per request, not per item', () => {
  const observer = new CountingObserver();
  let server: SettlementServer;
  let client: TestClient;
  beforeAll(async () => {
    const ruleset = bundled().ruleset;
    const held = { ruleset, source: 'test', publishedAt: '2026-11-27T00:00:00Z', signed: null };
    const holder = new RulesetHolder({
      active: held,
      held: new Map([[0, held]]),
      loadedAt: '2026-11-27T00:00:00Z',
      lastActivatedVersion: 0,
    });
    server = createSettlementServer({
      holder,
      watchers: testWatchers(holder),
      sync: () => ({ following: false, stalenessSeconds: 0 }),
      observer,
      limits: DEFAULT_LIMITS,
      now: () => new Date('2026-11-27T00:00:00Z'),
      onInternalError: (_m, err) => {
        throw err;
      },
    });
    client = new TestClient(`127.0.0.1:${await server.bind('127.0.0.1:0')}`);
  });
  afterAll(() => {
    client.close();
    server.server.forceShutdown();
  });

  it('a 10,000-item batch makes one update per label set', async () => {
    observer.calls = [];
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      tradeDate: ['2024-05-24', '2024-05-28', 'bad', '2024-07-04'][i % 4],
      assetClass: 'EQUITY',
      market: i % 10 === 0 ? 'QQQQ' : 'XNYS',
    }));
    await client.call('BatchGetSettlementDates', { items });
    expect(observer.calls.sort()).toEqual(
      [
        'batchItems 10000',
        'decisionErrors INVALID_DATE',
        'decisionErrors NOT_A_TRADING_DAY',
        'decisionErrors NO_RULE',
        'decisions us-equity-xnys-t1',
        'decisions us-equity-xnys-t2',
        'requestDone BatchGetSettlementDates 0',
      ].sort(),
    );
  });

  it('a stream of 10,000 reports in a handful of aggregated updates', async () => {
    observer.calls = [];
    observer.decided = 0;
    const stream = client.stream();
    stream.on('data', () => undefined);
    for (let i = 0; i < 10_000; i++) {
      if (!stream.write({ tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS', correlationId: String(i) }))
        await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'end');
    await new Promise((r) => setTimeout(r, 50));
    expect(observer.decided).toBe(10_000);
    expect(observer.calls.length).toBeLessThanOrEqual(5);
    expect(observer.calls).toContain('requestDone StreamSettlementDates 0');
  });
});
