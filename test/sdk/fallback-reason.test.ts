// Issue 18 ("messages"): the reason a fallback answer carries is the transport's error in plain words,
// without grpc-js's empty trailing "Resolution note: ".
import { afterAll, describe, expect, it } from 'vitest';
import { createSettlementClient } from '../../client-sdk/src/index.js';
import { closedPort } from '../support/free-port.js';

describe('the reason of a fallback answer', () => {
  const client = createSettlementClient({ address: 'unix:///nonexistent/tplus.sock', deadlineMs: 500 });
  afterAll(() => client.close());

  it('names what failed and ends there (no empty "Resolution note: ")', async () => {
    const tcp = createSettlementClient({ address: `127.0.0.1:${await closedPort()}`, deadlineMs: 500 });
    try {
      for (const c of [client, tcp]) {
        const d = await c.getSettlementDateDetails({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' });
        expect(d).toMatchObject({ source: 'fallback', errorCode: 'UNAVAILABLE' });
        expect(d.reason).toMatch(/ENOENT|ECONNREFUSED/);
        expect(d.reason).not.toMatch(/Resolution note:\s*$/);
        expect(d.reason).toBe(d.reason?.trim());
      }
    } finally {
      await tcp.close();
    }
  });
});
