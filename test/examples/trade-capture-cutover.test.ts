// The cutover replay of the trade-capture example against a real sidecar: 2024-05-29 settles both
// 2024-05-24's T+2 trades and 2024-05-28's T+1 trades.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSettlementClient, type SettlementClient } from '@tplus/client-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUTOVER_REPLAY, runCutoverReplay, type ReplayReport } from '../../examples/trade-capture/src/cutover-replay.js';
import { EmbeddedSidecar } from '../../examples/trade-capture/src/embedded-sidecar.js';
import { formatReport, formatThroughput } from '../../examples/trade-capture/src/format-report.js';
import { TradeStore } from '../../examples/trade-capture/src/trade-store.js';
import { BUNDLED_VERSION } from '../support/bundled.js';

const dir = mkdtempSync(join(tmpdir(), 'tplus-example-cutover-'));
const sidecar = new EmbeddedSidecar(join(dir, 'sidecar'));
let client: SettlementClient;
let store: TradeStore;
let report: ReplayReport;

beforeAll(async () => {
  await sidecar.start();
  client = createSettlementClient({ address: sidecar.address, deadlineMs: 2_000 });
  store = new TradeStore(join(dir, 'trades.db'));
  report = await runCutoverReplay(client, store, { ...CUTOVER_REPLAY, tradesPerDay: 6 });
});

afterAll(async () => {
  await client?.close();
  store?.close();
  await sidecar.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('cutover replay 2024-05-20..2024-06-05', () => {
  it('instructions per settlement day: the double settlement day 2024-05-29 gets both T+2 and T+1 trades', () => {
    const perDay = Object.fromEntries(
      report.days.map((d) => [d.settlementDate, d.byTradeDate.map((b) => `${b.tradeDate} T+${b.cycleDays} x${b.count}`)]),
    );
    expect(perDay).toEqual({
      '2024-05-22': ['2024-05-20 T+2 x6'],
      '2024-05-23': ['2024-05-21 T+2 x6'],
      '2024-05-24': ['2024-05-22 T+2 x6'],
      // Memorial Day 2024-05-27: nothing trades, nothing settles; 2024-05-23 T+2 rolls over it.
      '2024-05-28': ['2024-05-23 T+2 x6'],
      '2024-05-29': ['2024-05-24 T+2 x6', '2024-05-28 T+1 x6'],
      '2024-05-30': ['2024-05-29 T+1 x6'],
      '2024-05-31': ['2024-05-30 T+1 x6'],
      '2024-06-03': ['2024-05-31 T+1 x6'],
      '2024-06-04': ['2024-06-03 T+1 x6'],
      '2024-06-05': ['2024-06-04 T+1 x6'],
      '2024-06-06': ['2024-06-05 T+1 x6'],
    });
    expect(report.days.find((d) => d.settlementDate === '2024-05-29')?.instructions).toBe(12);
  });

  it('every trade captured from the service, settled once; reruns write nothing; strays rejected with the reason', () => {
    expect(report).toMatchObject({ captured: 72, provisional: 0, batches: 11, rerunInstructions: 0, settled: 72 });
    expect(report.rejected).toEqual([
      { code: 'NOT_A_TRADING_DAY', count: 1 },
      { code: 'NO_RULE', count: 1 },
    ]);
    expect(store.stmt('SELECT COUNT(*) AS n, COUNT(DISTINCT trade_id) AS d FROM settlement_instructions').get()).toEqual({ n: 72, d: 72 });
    // Every date carries the rule that produced it: T+2 rules before the cutover trade date, T+1 from it.
    const rules = store
      .stmt(
        'SELECT trade_date >= ? AS after, substr(rule_id, -3) AS cycle, COUNT(*) AS n, MIN(ruleset_version) AS v FROM trades GROUP BY 1, 2 ORDER BY 1',
      )
      .all('2024-05-28');
    expect(rules).toEqual([
      { after: 0, cycle: '-t2', n: 30, v: BUNDLED_VERSION },
      { after: 1, cycle: '-t1', n: 42, v: BUNDLED_VERSION },
    ]);
    const rejection = store.stmt('SELECT trade_id, code, reason FROM trade_rejections ORDER BY trade_id').all() as {
      trade_id: string;
      code: string;
      reason: string;
    }[];
    expect(rejection.map((r) => [r.trade_id, r.code])).toEqual([
      ['STRAY-MEMORIAL-DAY', 'NOT_A_TRADING_DAY'],
      ['STRAY-UNKNOWN-MIC', 'NO_RULE'],
    ]);
    expect(rejection.every((r) => r.reason.length > 0)).toBe(true);
    expect(store.find('STRAY-UNKNOWN-MIC')).toBeUndefined();
  });

  it('prints the report and a capture throughput figure with the SDK share', () => {
    expect(formatReport(report)).toMatch(/2024-05-29 +12 +2024-05-24 \(T\+2\) x 6, 2024-05-28 \(T\+1\) x 6 +<- double settlement day/);
    expect(report.capture).toMatchObject({ attempts: 74, captured: 72, rejected: 2, provisional: 0 });
    expect(report.capture.sdkMs).toBeGreaterThan(0);
    expect(report.capture.sdkMs).toBeLessThan(report.capture.totalMs);
    expect(formatThroughput(report.capture)).toMatch(/= [\d,]+ trades\/s .*SDK call \d+% of the time/);
  });
});
