import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_VERSION } from '../support/bundled.js';
import { startTestSidecar, TestClient, type TestSidecar } from './sidecar-harness.js';

const XNYS = { assetClass: 'EQUITY', market: 'XNYS' };

describe('Prometheus /metrics', () => {
  let sidecar: TestSidecar;
  let client: TestClient;
  let url: string;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ metrics: true });
    client = new TestClient(sidecar.addresses.tcp);
    url = `http://${sidecar.handle.metricsAddress ?? ''}`;
    await client.call('GetSettlementDate', { tradeDate: '2024-05-28', ...XNYS });
    await client.failure('GetSettlementDate', { tradeDate: '2024-02-30', ...XNYS });
    await client.call('BatchGetSettlementDates', {
      items: [...Array.from({ length: 999 }, () => ({ tradeDate: '2024-05-24', ...XNYS })), { tradeDate: 'nope', ...XNYS }],
    });
  });
  afterAll(async () => {
    client.close();
    await sidecar.stop();
  });

  it('serves every metric the contract names, plus Node process metrics', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'tplus_requests_total',
      'tplus_request_duration_seconds',
      'tplus_decisions_total',
      'tplus_decision_errors_total',
      'tplus_ruleset_version',
      'tplus_ruleset_loaded_timestamp_seconds',
      'tplus_calendar_horizon_seconds',
      'tplus_batch_items',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).toContain('tplus_requests_total{method="GetSettlementDate",code="OK"} 1');
    expect(text).toContain('tplus_requests_total{method="GetSettlementDate",code="INVALID_ARGUMENT"} 1');
    expect(text).toContain('tplus_requests_total{method="BatchGetSettlementDates",code="OK"} 1');
    expect(text).toContain('tplus_decisions_total{market="XNYS",asset_class="EQUITY",cycle_days="2"} 999');
    expect(text).toContain('tplus_decisions_total{market="XNYS",asset_class="EQUITY",cycle_days="1"} 1');
    expect(text).toContain('tplus_decision_errors_total{reason="INVALID_DATE"} 2');
    expect(text).toContain('tplus_batch_items_count 1');
    expect(text).toContain('tplus_batch_items_sum 1000');
    expect(text).toContain(`tplus_ruleset_version ${BUNDLED_VERSION}\n`);
    expect(text).toContain(`tplus_ruleset_loaded_timestamp_seconds ${Date.parse('2026-11-27T09:30:00.000Z') / 1000}`);
    expect(text).toContain(`tplus_calendar_horizon_seconds{calendar_id="US-SETTLEMENT"} ${3321 * 86_400}`);
    expect(text).toContain('tplus_request_duration_seconds_count{method="GetSettlementDate"} 2');
  });

  it('answers 404 elsewhere and 405 for other methods', async () => {
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
