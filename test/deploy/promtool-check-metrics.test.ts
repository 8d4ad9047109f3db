import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementClient } from '../../client-sdk/src/index.js';
import { startLiveFleet, type LiveFleet } from './live-registry.js';
import { pathOf, requiredBinary } from './required-binary.js';

// `promtool check metrics` lints exposition text against the Prometheus naming rules (base units,
// _total only on counters, ...). It reads live /metrics of a real registry and of a real sidecar
// following it, and the text of the SDK's metrics on an app's Registry after real calls.

const promtool = requiredBinary('promtool', 'PROMTOOL');

/**
 * prom-client's own default process metrics (collectDefaultMetrics) that promtool flags: gauges named
 * *_total. We do not own these names (prometheus/client_js#283, open upstream), and renaming them
 * would break every Node.js dashboard that uses them; anything else promtool reports fails the test.
 */
const PROM_CLIENT_DEFAULTS = new Set([
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
]);

function checkMetrics(text: string): { code: number | null; problems: string[] } {
  const r = spawnSync(pathOf(promtool), ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60_000 });
  const problems = `${r.stdout}${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !PROM_CLIENT_DEFAULTS.has(l));
  return { code: r.status, problems };
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  return res.text();
}

describe.skipIf(promtool.skip)('promtool check metrics on live /metrics', () => {
  let fleet: LiveFleet;
  beforeAll(async () => {
    fleet = await startLiveFleet();
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('the sidecar (following a registry) exposes only names promtool accepts', async () => {
    const text = await scrape(fleet.followerMetricsUrl);
    expect(checkMetrics(text).problems).toEqual([]);
    expect(text).toContain('tplus_calendar_horizon_seconds{calendar_id="US-SETTLEMENT"}');
  });

  it('the registry exposes only names promtool accepts', async () => {
    const text = await scrape(fleet.registryMetricsUrl);
    expect(text).toContain('tplus_registry_');
    expect(checkMetrics(text).problems).toEqual([]);
  });

  it("the SDK's metrics (RPC and in-process clients, on the app's Registry) pass promtool", async () => {
    const registry = new Registry();
    const inProcessRegistry = new Registry();
    const rpc = createSettlementClient({ address: fleet.followerAddress, registry, deadlineMs: 2_000 });
    const inProcess = createSettlementClient({ address: fleet.followerAddress, mode: 'in-process', registry: inProcessRegistry });
    try {
      await rpc.ready();
      await inProcess.ready();
      await rpc.getSettlementDate({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' });
      await rpc.getSettlementDates([{ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' }]);
      await rpc.getSettlementDate({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XXXX' }).catch(() => undefined);
      inProcess.decideSync({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' });
      const rpcText = await registry.metrics();
      const inProcessText = await inProcessRegistry.metrics();
      expect(rpcText).toContain('tplus_client_requests_total{method="GetSettlementDate",outcome="service"} 1');
      expect(inProcessText).toContain('tplus_client_in_process_answers_total 1');
      expect(checkMetrics(rpcText).problems).toEqual([]);
      expect(checkMetrics(inProcessText).problems).toEqual([]);
    } finally {
      await rpc.close();
      await inProcess.close();
    }
  });
});
