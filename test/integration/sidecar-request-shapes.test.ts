/**
 * Issue 13: request fields are shape-checked before any lookup, and the default --max-message-bytes is
 * what the largest legal request needs. A real `tplus serve` child process with its defaults on
 * 127.0.0.1:0, plain grpc-js calls.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largestColumnarRequest, MAX_COLUMNAR_KEYS_WITH_TERMS, requiredMessageBytes } from '../../server/src/sidecar/request-size.js';
import { DEFAULT_LIMITS } from '../../server/src/sidecar/server-limits.js';
import { errorReport, SERVICE, tempDir, TestClient } from './sidecar-harness.js';
import { buildServer, reap, spawnSidecar, type SidecarProcess } from './sidecar-process.js';

const MARKET_100 = 'M'.repeat(100);
const TRUNCATED = `"${'M'.repeat(40)}…(100 chars)"`;
const TRADE = { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' };

describe('request shapes and size on a real sidecar process (defaults, 127.0.0.1:0)', () => {
  const dir = tempDir('tplus-shapes-');
  let sidecar: SidecarProcess | null = null;
  let client: TestClient;
  beforeAll(async () => {
    buildServer();
    sidecar = spawnSidecar(['--data-dir', dir.path, '--socket', 'off', '--listen', '127.0.0.1:0', '--metrics-listen', 'off']);
    const listening = await sidecar.waitFor('listening', (l) => l['transport'] === 'tcp');
    await sidecar.waitFor('serving');
    client = new TestClient(String(listening['address']), { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  }, 60_000);
  afterAll(() => {
    client?.raw.close();
    reap(sidecar);
    dir.remove();
  });

  it('the default --max-message-bytes is derived from the batch limits: the largest legal columnar batch plus a quarter, far below 8 MiB', () => {
    expect(DEFAULT_LIMITS.maxMessageBytes).toBe(requiredMessageBytes(DEFAULT_LIMITS));
    expect(DEFAULT_LIMITS.maxMessageBytes).toBeGreaterThan(largestColumnarRequest(DEFAULT_LIMITS.maxColumnarItems));
    expect(DEFAULT_LIMITS.maxMessageBytes).toBeLessThan(8 * 1024 * 1024);
  });

  it('an 8 MiB market is refused RESOURCE_EXHAUSTED (message too large), not looked up', async () => {
    const err = await client.failure('GetSettlementDate', { ...TRADE, market: 'X'.repeat(8 * 1024 * 1024) });
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it.each([
    ['GetSettlementDate', { ...TRADE, market: MARKET_100 }, 'market'],
    ['ExplainSettlementDate', { ...TRADE, market: MARKET_100 }, 'market'],
    ['GetSettlementDate', { ...TRADE, assetClass: 'equity' }, 'asset_class'],
    ['ListRules', { market: MARKET_100 }, 'market'],
    ['ListHolidays', { calendarId: `${'C'.repeat(99)}!` }, 'calendar_id'],
  ] as const)('%s with a malformed %j is INVALID_ARGUMENT naming the field and a shortened value', async (method, request, field) => {
    const report = errorReport(await client.failure(method, request));
    expect(report).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'INVALID_ARGUMENT' });
    expect(report.message).toMatch(new RegExp(`^${field} "`));
    expect(report.info?.metadata['field']).toBe(field);
    if (field === 'market') expect(report.message).toContain(TRUNCATED);
  });

  it('a malformed market in a row batch, a columnar batch and a stream is that item’s INVALID_ARGUMENT', async () => {
    const rows = await client.call<{ results: { error?: { code: string; message: string } }[] }>('BatchGetSettlementDates', {
      items: [TRADE, { ...TRADE, market: MARKET_100 }],
    });
    expect(rows.results[1]?.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(`market ${TRUNCATED}`) as unknown,
    });
    const cols = await client.call<{ errors: { index: number; code: string; message: string }[]; statusCodes: number[] }>(
      'BatchGetSettlementDatesColumnar',
      {
        tradeDates: [20240528, 20240528],
        keys: [
          { assetClass: 'EQUITY', market: 'XNYS' },
          { assetClass: 'EQUITY', market: MARKET_100 },
        ],
        keyIndexes: [0, 1],
      },
    );
    expect(cols.statusCodes).toEqual([status.OK, status.INVALID_ARGUMENT]);
    expect(cols.errors).toEqual([
      { index: 1, code: 'INVALID_ARGUMENT', message: expect.stringContaining(`market ${TRUNCATED}`) as unknown },
    ]);
    const stream = client.stream();
    const result = new Promise<{ error?: { code: string } }>((resolve) => stream.once('data', resolve));
    stream.write({ ...TRADE, market: MARKET_100, correlationId: 'c1' });
    expect((await result).error?.code).toBe('INVALID_ARGUMENT');
    stream.end();
  });

  it('accepts a maximal legal columnar batch and refuses one byte over the bound with RESOURCE_EXHAUSTED', async () => {
    const n = DEFAULT_LIMITS.maxColumnarItems;
    const maximal = {
      tradeDates: new Array<number>(n).fill(4_294_967_295), // 5-byte varints: legal, each item INVALID_DATE
      // The first MAX_COLUMNAR_KEYS_WITH_TERMS keys carry every settlement-type and segment field at its longest.
      keys: Array.from({ length: n }, (_, i) =>
        i < MAX_COLUMNAR_KEYS_WITH_TERMS
          ? {
              assetClass: 'A'.repeat(32),
              market: 'XNYS',
              settlementType: 'SELLERS_OPTION',
              optionDays: 4_294_967_295,
              settlementDate: '2024-07-15',
              segment: 'S'.repeat(32),
            }
          : { assetClass: 'A'.repeat(32), market: 'XNYS' },
      ),
      keyIndexes: new Array<number>(n).fill(4_294_967_295),
      rulesetVersion: Number.MAX_SAFE_INTEGER,
      allowNonTradingDay: true,
    };
    const m = SERVICE['BatchGetSettlementDatesColumnar'];
    expect(m?.requestSerialize(maximal).length).toBe(largestColumnarRequest(n) - 2); // uint64 MAX_SAFE_INTEGER is 8 bytes, not 10
    const res = await client.call<{ statusCodes: number[] }>('BatchGetSettlementDatesColumnar', { ...maximal, rulesetVersion: 0 }, 30_000);
    expect(res.statusCodes).toHaveLength(n);
    // Exactly at the bound (accepted), and one byte over (refused): a request padded with correlation_id.
    const padded = (bytes: number): object => {
      const g = SERVICE['GetSettlementDate'];
      let pad = bytes - (g?.requestSerialize({ ...TRADE }).length ?? 0) - 5;
      while ((g?.requestSerialize({ ...TRADE, correlationId: 'p'.repeat(pad) }).length ?? 0) > bytes) pad--;
      const req = { ...TRADE, correlationId: 'p'.repeat(pad) };
      expect(g?.requestSerialize(req).length).toBe(bytes);
      return req;
    };
    await expect(client.call('GetSettlementDate', padded(DEFAULT_LIMITS.maxMessageBytes))).resolves.toMatchObject({
      settlementDate: '2024-05-29',
    });
    const err = await client.call('GetSettlementDate', padded(DEFAULT_LIMITS.maxMessageBytes + 1)).then(
      () => null,
      (e: ServiceError) => e,
    );
    expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
  }, 60_000);
});
