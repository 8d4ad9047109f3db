import { Metadata, status, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ruleset } from '@tplus/core';
import { createSettlementServer, type SettlementServer } from '../../server/src/sidecar/create-settlement-server.js';
import { NO_OBSERVER } from '../../server/src/rpc/request-observer.js';
import { RulesetHolder } from '../../server/src/sidecar/ruleset-holder.js';
import { DEFAULT_LIMITS } from '../../server/src/sidecar/server-limits.js';
import { bundled } from '../support/bundled.js';
import { errorReport, SERVICE, startTestSidecar, TestClient, testWatchers, type TestSidecar } from './sidecar-harness.js';

let sidecar: TestSidecar;
beforeAll(async () => {
  sidecar = await startTestSidecar({ limits: { maxBatchItems: 100, maxColumnarItems: 100, maxMessageBytes: 64 * 1024 } });
});
afterAll(async () => {
  await sidecar.stop();
});

const XNYS = { assetClass: 'EQUITY', market: 'XNYS' };

/** Each case: the call, the gRPC status, the reason (domain code), text the message must contain, an ErrorInfo metadata entry. */
interface Case {
  readonly what: string;
  readonly method: string;
  readonly request: object;
  readonly code: status;
  readonly reason: string;
  readonly text: string;
  readonly meta: readonly [string, string];
}

const CASES: readonly Case[] = [
  {
    what: 'a bad date',
    method: 'GetSettlementDate',
    request: { tradeDate: '2024-02-30', ...XNYS },
    code: status.INVALID_ARGUMENT,
    reason: 'INVALID_DATE',
    text: 'trade_date "2024-02-30"',
    meta: ['field', 'trade_date'],
  },
  {
    what: 'year 0000',
    method: 'GetSettlementDate',
    request: { tradeDate: '0000-01-01', ...XNYS },
    code: status.INVALID_ARGUMENT,
    reason: 'INVALID_DATE',
    text: '"0000-01-01"',
    meta: ['value', '0000-01-01'],
  },
  {
    what: 'an empty market',
    method: 'GetSettlementDate',
    request: { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: '' },
    code: status.INVALID_ARGUMENT,
    reason: 'INVALID_ARGUMENT',
    text: 'market must not be empty',
    meta: ['field', 'market'],
  },
  {
    what: 'a batch too large',
    method: 'BatchGetSettlementDates',
    request: { items: Array.from({ length: 101 }, () => ({ tradeDate: '2024-05-28', ...XNYS })) },
    code: status.INVALID_ARGUMENT,
    reason: 'BATCH_TOO_LARGE',
    text: 'items has 101 entries; at most 100',
    meta: ['field', 'items'],
  },
  {
    what: 'a columnar batch too large',
    method: 'BatchGetSettlementDatesColumnar',
    request: { tradeDates: new Array(101).fill(20240528), keys: [XNYS], keyIndexes: new Array(101).fill(0) },
    code: status.INVALID_ARGUMENT,
    reason: 'BATCH_TOO_LARGE',
    text: 'trade_dates has 101 entries',
    meta: ['max', '100'],
  },
  {
    what: 'mismatched columns',
    method: 'BatchGetSettlementDatesColumnar',
    request: { tradeDates: [20240528, 20240529], keys: [XNYS], keyIndexes: [0] },
    code: status.INVALID_ARGUMENT,
    reason: 'INVALID_ARGUMENT',
    text: 'key_indexes has 1 entries but trade_dates has 2',
    meta: ['field', 'key_indexes'],
  },
  {
    what: 'no rule for the market',
    method: 'GetSettlementDate',
    request: { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'QQQQ' },
    code: status.NOT_FOUND,
    reason: 'NO_RULE',
    text: 'market "QQQQ"',
    meta: ['market', 'QQQQ'],
  },
  {
    what: 'no rule before the first rule',
    method: 'GetSettlementDate',
    request: { tradeDate: '1999-12-31', ...XNYS },
    code: status.NOT_FOUND,
    reason: 'NO_RULE',
    text: 'trade_date 1999-12-31',
    meta: ['trade_date', '1999-12-31'],
  },
  {
    what: 'an unknown calendar',
    method: 'ListHolidays',
    request: { calendarId: 'NOPE' },
    code: status.NOT_FOUND,
    reason: 'CALENDAR_NOT_FOUND',
    text: 'calendar_id "NOPE"',
    meta: ['field', 'calendar_id'],
  },
  {
    what: 'a market holiday',
    method: 'GetSettlementDate',
    request: { tradeDate: '2024-07-04', ...XNYS },
    code: status.FAILED_PRECONDITION,
    reason: 'NOT_A_TRADING_DAY',
    text: 'trade_date 2024-07-04 is not a trading day on XNYS',
    meta: ['calendar_id', 'XNYS'],
  },
  {
    what: 'a version not held',
    method: 'GetSettlementDate',
    request: { tradeDate: '2024-05-28', ...XNYS, rulesetVersion: 999 },
    code: status.FAILED_PRECONDITION,
    reason: 'VERSION_NOT_HELD',
    text: 'ruleset_version 999',
    meta: ['field', 'ruleset_version'],
  },
  {
    what: 'a trade date beyond the calendars',
    method: 'GetSettlementDate',
    request: { tradeDate: '2036-01-02', ...XNYS },
    code: status.OUT_OF_RANGE,
    reason: 'CALENDAR_OUT_OF_RANGE',
    text: 'trade_date 2036-01-02 is outside calendar XNYS',
    meta: ['covered_to', '2035-12-31'],
  },
  {
    what: 'a settlement date beyond the calendar',
    method: 'GetSettlementDate',
    request: { tradeDate: '2035-12-31', ...XNYS },
    code: status.OUT_OF_RANGE,
    reason: 'CALENDAR_OUT_OF_RANGE',
    text: 'outside calendar US-SETTLEMENT',
    meta: ['field', 'settlement_date'],
  },
  {
    what: 'holidays beyond the calendar',
    method: 'ListHolidays',
    request: { calendarId: 'XNYS', from: '2030-01-01', to: '2040-01-01' },
    code: status.OUT_OF_RANGE,
    reason: 'CALENDAR_OUT_OF_RANGE',
    text: 'to 2040-01-01 is outside calendar XNYS',
    meta: ['field', 'to'],
  },
  {
    what: 'an explain with a bad date',
    method: 'ExplainSettlementDate',
    request: { tradeDate: '2024-13-01', ...XNYS },
    code: status.INVALID_ARGUMENT,
    reason: 'INVALID_DATE',
    text: '"2024-13-01"',
    meta: ['field', 'trade_date'],
  },
];

describe.each(['tcp', 'unix'] as const)('errors over %s carry status, message, reason and ErrorInfo', (transport) => {
  let client: TestClient;
  beforeAll(() => {
    client = new TestClient(sidecar.addresses[transport]);
  });
  afterAll(() => client.close());

  it.each(CASES)('$what ($method) → $reason', async ({ method, request, code, reason, text, meta }) => {
    const report = errorReport(await client.failure(method, request));
    expect(report.code).toBe(code);
    expect(report.reason).toBe(reason);
    expect(report.message).toContain(text);
    expect(report.info?.reason).toBe(reason);
    expect(report.info?.domain).toBe('tplus.settlement.v1');
    expect(report.info?.metadata[meta[0]]).toBe(meta[1]);
  });

  it('answers bytes that are not a valid message with INVALID_ARGUMENT, not INTERNAL', async () => {
    const m = SERVICE['GetSettlementDate'] as ServiceDefinition[string];
    const err = await new Promise<ServiceError>((resolve, reject) =>
      client.raw.makeUnaryRequest(
        m.path,
        (b: Buffer) => b,
        m.responseDeserialize,
        Buffer.from([0x0a, 0xff, 0xff, 0xff]),
        new Metadata(),
        {},
        (e) => (e ? resolve(e) : reject(new Error('accepted garbage'))),
      ),
    );
    const report = errorReport(err);
    expect(report).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'INVALID_ARGUMENT' });
    expect(report.message).toContain('GetSettlementDate request is not a valid protobuf message');
  });

  it('refuses a message over the configured maximum size with RESOURCE_EXHAUSTED', async () => {
    const err = await client.failure('GetSettlementDate', { tradeDate: '2024-05-28', assetClass: 'x'.repeat(100_000), market: 'XNYS' });
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
  });
});

describe('an unexpected failure', () => {
  let server: SettlementServer;
  let client: TestClient;
  const logged: unknown[] = [];

  beforeAll(async () => {
    const real = bundled().ruleset;
    const broken = Object.create(real) as Ruleset;
    broken.decide = () => {
      throw new Error('SQLITE_CORRUPT: database disk image is malformed (rulesets.db)');
    };
    const holder = new RulesetHolder({
      active: { ruleset: broken, source: 'test', publishedAt: '2026-11-27T00:00:00Z', signed: null },
      held: new Map([[0, { ruleset: broken, source: 'test', publishedAt: '2026-11-27T00:00:00Z', signed: null }]]),
      loadedAt: '2026-11-27T00:00:00Z',
      lastActivatedVersion: 0,
    });
    server = createSettlementServer({
      holder,
      watchers: testWatchers(holder),
      sync: () => ({ following: false, stalenessSeconds: 0 }),
      observer: NO_OBSERVER,
      limits: DEFAULT_LIMITS,
      now: () => new Date('2026-11-27T00:00:00Z'),
      onInternalError: (_method, err) => logged.push(err),
    });
    const port = await server.bind('127.0.0.1:0');
    server.setServing(true);
    client = new TestClient(`127.0.0.1:${port}`);
  });
  afterAll(() => {
    client.close();
    server.server.forceShutdown();
  });

  it('becomes INTERNAL with a generic message; the text and stack go to the server log only', async () => {
    const report = errorReport(await client.failure('GetSettlementDate', { tradeDate: '2024-05-28', ...XNYS }));
    expect(report.code).toBe(status.INTERNAL);
    expect(report.reason).toBe('INTERNAL');
    expect(report.message).not.toMatch(/SQLITE|rulesets\.db|malformed/);
    expect(JSON.stringify(report.info)).not.toMatch(/SQLITE/);
    expect(String(logged[0])).toContain('SQLITE_CORRUPT');
  });

  it('becomes a per-item INTERNAL in a batch, never failing the batch', async () => {
    const res = await client.call<{ results: { error?: { code: string; message: string } }[] }>('BatchGetSettlementDates', {
      items: [{ tradeDate: '2024-05-28', ...XNYS }],
    });
    expect(res.results[0]?.error?.code).toBe('INTERNAL');
    expect(res.results[0]?.error?.message).not.toMatch(/SQLITE/);
  });

  it('ends a stream with INTERNAL', async () => {
    const stream = client.stream();
    const ended = new Promise<{ code: number }>((resolve) => {
      stream.on('data', () => undefined);
      stream.on('error', (e: { code: number }) => resolve(e));
    });
    stream.write({ tradeDate: '2024-05-28', ...XNYS, correlationId: 'x' });
    expect((await ended).code).toBe(status.INTERNAL);
  });
});
