import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE, startTestSidecar, TestClient, type Message, type TestSidecar } from './sidecar-harness.js';
import { seededRandom } from '../support/seeded-random.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SEED = 20261127;
const TOTAL = 10_000;
const CONCURRENCY = 32;
const DOMAIN_CODES = new Set([status.INVALID_ARGUMENT, status.NOT_FOUND, status.FAILED_PRECONDITION, status.OUT_OF_RANGE]);
const PIECES = [
  '2024-02-29',
  '2023-02-29',
  '1900-02-29',
  '2000-02-29',
  '0000-01-01',
  '9999-12-31',
  '2024-05-28',
  '2024-07-04',
  '2035-12-31',
  '2036-01-02',
  '1999-12-31',
  '2024-5-28',
  ' 2024-05-28',
  '2024-05-28 ',
  '20240528',
  '2024/05/28',
  '-2024-05-28',
  '+02024-05-28',
  '２０２４-０５-２８',
  '2024-05-28\u0000',
  'NaN',
  '',
  '\uD800',
  '\uDFFF',
  '🙂',
  'é',
  '\u202E',
  'XNYS',
  'EQUITY',
  'ETF',
  'XNAS',
  'xnys',
  'QQQQ',
  "'; DROP TABLE ruleset_versions; --",
];

function fuzzer(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const randomText = (max: number): string => {
    const n = Math.floor(rand() * max);
    let s = '';
    for (let i = 0; i < n; i++)
      s +=
        rand() < 0.7 ? String.fromCharCode(32 + Math.floor(rand() * 95)) : String.fromCodePoint(Math.floor(rand() * 0x10ffff) & 0x10f7ff);
    return s;
  };
  const text = (): string => {
    const r = rand();
    if (r < 0.45) return pick(PIECES);
    if (r < 0.75) return randomText(24);
    if (r < 0.97) return pick(PIECES) + randomText(4);
    return 'x'.repeat(1 + Math.floor(rand() * 1_000_000));
  };
  const date = (): string =>
    rand() < 0.5
      ? `${String(Math.floor(rand() * 10_000)).padStart(4, '0')}-${String(Math.floor(rand() * 14)).padStart(2, '0')}-${String(Math.floor(rand() * 33)).padStart(2, '0')}`
      : text();
  const item = (): Message => ({
    tradeDate: date(),
    assetClass: rand() < 0.6 ? pick(['EQUITY', 'ETF']) : text(),
    market: rand() < 0.6 ? pick(['XNYS', 'XNAS', 'ARCX', 'XLON', 'XETR']) : text(),
    ...(rand() < 0.2 ? { rulesetVersion: pick([0, 1, 2, 999, Number.MAX_SAFE_INTEGER]) } : {}),
    ...(rand() < 0.3 ? { allowNonTradingDay: rand() < 0.5 } : {}),
    correlationId: rand() < 0.1 ? text() : '',
  });
  const u32 = (): number =>
    pick([0, 1, 20240229, 20230229, 99991231, 10101, 4294967295, Math.floor(rand() * 4294967296), 20000000 + Math.floor(rand() * 400000)]);
  return (): [string, object | Buffer] => {
    const r = rand();
    if (r < 0.55) return ['GetSettlementDate', item()];
    if (r < 0.65) return ['ExplainSettlementDate', item()];
    if (r < 0.75) return ['BatchGetSettlementDates', { items: Array.from({ length: Math.floor(rand() * 50) }, item) }];
    if (r < 0.85) {
      const n = Math.floor(rand() * 200);
      return [
        'BatchGetSettlementDatesColumnar',
        {
          tradeDates: Array.from({ length: n }, u32),
          keys: Array.from({ length: Math.floor(rand() * 4) }, () => ({
            assetClass: rand() < 0.7 ? 'EQUITY' : text(),
            market: rand() < 0.7 ? 'XNYS' : text(),
          })),
          keyIndexes: Array.from({ length: rand() < 0.9 ? n : n + 1 }, () => Math.floor(rand() * 5)),
        },
      ];
    }
    if (r < 0.9) return ['ListHolidays', { calendarId: rand() < 0.5 ? 'XNYS' : text(), from: date(), to: date() }];
    if (r < 0.92) return ['ListRules', { market: text(), assetClass: text() }];
    // Raw bytes: not a valid message (or, by chance, a strange one).
    return [
      pick(['GetSettlementDate', 'BatchGetSettlementDates', 'BatchGetSettlementDatesColumnar']),
      Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))),
    ];
  };
}

/** Sends one request (objects through the proto serializer, Buffers as raw bytes) and classifies the answer. */
function send(client: TestClient, method: string, request: object | Buffer): Promise<string> {
  const m = SERVICE[method];
  if (!m) throw new Error(method);
  const serialize = Buffer.isBuffer(request) ? (b: Buffer) => b : m.requestSerialize;
  return new Promise((resolve) => {
    client.raw.makeUnaryRequest(
      m.path,
      serialize as (v: unknown) => Buffer,
      m.responseDeserialize,
      request,
      new Metadata(),
      { deadline: Date.now() + 20_000 },
      (err: ServiceError | null, res?: unknown) => {
        if (!err) return resolve(res && typeof res === 'object' ? 'ok' : 'empty answer');
        const reason = err.metadata.get('tplus-error-reason')[0];
        if (
          DOMAIN_CODES.has(err.code) &&
          typeof reason === 'string' &&
          err.details.length > 0 &&
          err.metadata.get('grpc-status-details-bin').length === 1
        )
          return resolve(`error:${reason}`);
        if (err.code === status.RESOURCE_EXHAUSTED) return resolve('error:RESOURCE_EXHAUSTED');
        resolve(`unclear: ${err.code} ${err.details}`);
      },
    );
  });
}

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
}

describe('fuzz: 10,000+ random and malformed requests', () => {
  let sidecar: TestSidecar;
  let clients: TestClient[];
  beforeAll(async () => {
    sidecar = await startTestSidecar();
    clients = [new TestClient(sidecar.addresses.unix, { 'grpc.max_send_message_length': 8 << 20 }), new TestClient(sidecar.addresses.tcp)];
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await sidecar.stop();
  });

  it('never crashes the server, answers each with a decision or a clear error, and does not grow the heap', async () => {
    const next = fuzzer(seededRandom(SEED));
    const outcomes = new Map<string, number>();
    const run = async (count: number): Promise<void> => {
      let sent = 0;
      const worker = async (w: number): Promise<void> => {
        while (sent < count) {
          sent++;
          const [method, request] = next();
          const outcome = await send(clients[w % 2] as TestClient, method, request);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    };
    const started = Date.now();
    await run(2_000); // warm-up: JIT, metric series, connection buffers
    const before = heapMb();
    await run(TOTAL);
    const after = heapMb();
    const unclear = [...outcomes.keys()].filter((k) => !k.startsWith('ok') && !k.startsWith('error:'));
    expect(unclear, JSON.stringify(Object.fromEntries(outcomes))).toEqual([]);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL + 2_000);
    expect(outcomes.get('ok')).toBeGreaterThan(1_000);
    for (const reason of [
      'INVALID_DATE',
      'INVALID_ARGUMENT',
      'NO_RULE',
      'CALENDAR_OUT_OF_RANGE',
      'VERSION_NOT_HELD',
      'NOT_A_TRADING_DAY',
    ]) {
      expect(outcomes.get(`error:${reason}`), reason).toBeGreaterThan(0);
    }
    expect(after - before, `heap ${before.toFixed(1)} MB → ${after.toFixed(1)} MB`).toBeLessThan(16);
    expect(Date.now() - started).toBeLessThan(110_000);
    // Still healthy and still right.
    const res = await clients[0]?.call('GetSettlementDate', { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' });
    expect(res).toMatchObject({ settlementDate: '2024-05-29' });
    expect(sidecar.logs.filter((l) => l['event'] === 'internal_error')).toEqual([]);
  }, 120_000);
});
