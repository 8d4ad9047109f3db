import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSettlementClient } from '../../client-sdk/src/index.js';
import { closedPort } from '../support/free-port.js';

// The SDK's metrics as an app's /metrics shows them: names, help, types, labels and bucket layout are
// a published interface (dashboards and alerts query them). Durations are masked; counts are not.

const mask = (text: string): string => text.replace(/(_sum\{[^}]*\}) [0-9.e-]+$/gm, '$1 S');

describe("SDK metrics text on the caller's Registry", () => {
  it('RPC client after two fallback answers: the exposition is unchanged', async () => {
    const registry = new Registry();
    const client = createSettlementClient({ address: `127.0.0.1:${await closedPort()}`, deadlineMs: 200, coalesce: false, registry });
    try {
      for (let i = 0; i < 2; i++) await client.getSettlementDate({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' });
      const text = mask(await registry.metrics());
      // Bucket counts depend on timing: the bounds and their order are pinned, the counts masked (+Inf is not).
      expect(
        text.replace(/(_bucket\{le="(?:0\.0002|0\.0005|0\.001|0\.002|0\.005|0\.01|0\.025|0\.05|0\.1|0\.25|1)",[^}]*\}) \d+$/gm, '$1 N'),
      ).toMatchSnapshot();
      expect(text).toContain('tplus_client_request_duration_seconds_bucket{le="+Inf",method="GetSettlementDate",outcome="fallback"} 2');
      expect((await registry.getMetricsAsJSON()).map((m) => [m.name, m.type, m.aggregator])).toMatchSnapshot();
    } finally {
      await client.close();
    }
  });

  it('in-process client before its first sync', async () => {
    const registry = new Registry();
    const client = createSettlementClient({ address: `127.0.0.1:${await closedPort()}`, mode: 'in-process', registry });
    try {
      expect(await registry.metrics()).toMatchSnapshot();
    } finally {
      await client.close();
    }
  });
});
