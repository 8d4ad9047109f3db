import { once } from 'node:events';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '@tplus/core';
import { bundled } from '../support/bundled.js';
import { sleep, startTestSidecar, TestClient, type Message, type TestSidecar } from './sidecar-harness.js';

let sidecar: TestSidecar;
beforeAll(async () => {
  sidecar = await startTestSidecar();
});
afterAll(async () => {
  await sidecar.stop();
});

const TOTAL = 100_000;
const FIRST = parseDay('2020-01-01');

function request(i: number): object {
  return i % 10 === 9
    ? { tradeDate: `bad-${i}`, assetClass: 'EQUITY', market: 'XNYS', correlationId: String(i) }
    : {
        tradeDate: formatDay(FIRST + (i % 1500)),
        assetClass: 'EQUITY',
        market: 'XNYS',
        correlationId: String(i),
        allowNonTradingDay: true,
      };
}

/** Waits for 'drain' at most `patienceMs`; false when the stream stayed full. */
function drained(stream: ClientDuplexStream<object, Message>, patienceMs: number): Promise<boolean> {
  return Promise.race([once(stream, 'drain').then(() => true), sleep(patienceMs).then(() => false)]);
}

describe.each(['tcp', 'unix'] as const)('StreamSettlementDates with 100,000 requests over %s', (transport) => {
  let client: TestClient;
  beforeAll(() => {
    client = new TestClient(sidecar.addresses[transport]);
  });
  afterAll(() => client.close());

  it('stalls a sender whose results are not read, then answers all 100,000 in order once they are', async () => {
    const started = Date.now();
    const stream = client.stream(90_000);
    const failed = new Promise<never>((_, reject) => stream.on('error', reject));
    // Phase 1: nobody reads the results. The server must stop reading, so our writes stall well before the end.
    let sent = 0;
    while (sent < TOTAL) {
      const accepted = stream.write(request(sent++));
      if (!accepted && !(await drained(stream, 300))) break;
    }
    expect(sent, 'writes stalled under back-pressure').toBeLessThan(TOTAL / 2);
    expect(sent).toBeGreaterThan(0);
    // Phase 2: read, and send the rest honouring 'drain'.
    let received = 0;
    let outOfOrder = 0;
    let errors = 0;
    const sample: Message[] = [];
    stream.on('data', (m: Message) => {
      if (m['correlationId'] !== String(received)) outOfOrder++;
      if (m['result'] === 'error') errors++;
      if (received % 9_973 === 0) sample.push(m);
      received++;
    });
    const ended = new Promise<void>((resolve) => stream.on('end', resolve));
    while (sent < TOTAL) {
      if (!stream.write(request(sent++))) await Promise.race([once(stream, 'drain'), failed]);
    }
    stream.end();
    await Promise.race([ended, failed]);
    expect(received).toBe(TOTAL);
    expect(outOfOrder).toBe(0);
    expect(errors).toBe(TOTAL / 10);
    for (const m of sample) {
      const i = Number(m['correlationId']);
      if (i % 10 === 9) {
        expect((m['error'] as Message)['code']).toBe('INVALID_DATE');
        continue;
      }
      const want = bundled().ruleset.decide(formatDay(FIRST + (i % 1500)), 'EQUITY', 'XNYS', true).settlementDate;
      expect((m['decision'] as Message)['settlementDate']).toBe(want);
    }
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
