// The trade-capture example books the same day sequentially, concurrently (coalesced RPC) and
// in-process against a real sidecar process: the same dates and rules in every mode, each date stored
// with the source that decided it, business errors rejected with the sidecar's codes, duplicates not
// asked again, and `main.js modes` prints the comparison (and JSON for the bench).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSettlementClient, type InProcessSettlementClient, type SettlementClient } from '@tplus/client-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askConcurrently, askInProcess, BatchCapture, type AskChunk } from '../../examples/trade-capture/src/batch-capture.js';
import { EmbeddedSidecar } from '../../examples/trade-capture/src/embedded-sidecar.js';
import { formatModes } from '../../examples/trade-capture/src/format-report.js';
import { bookSameDay, CAPTURE_MODES, type ModeRun } from '../../examples/trade-capture/src/same-day-modes.js';
import { TradeStore } from '../../examples/trade-capture/src/trade-store.js';
import type { Trade } from '../../examples/trade-capture/src/trade.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tplus-example-modes-'));
const sidecar = new EmbeddedSidecar(join(dir, 'sidecar'));
let rpc: SettlementClient;
let inProcess: InProcessSettlementClient;
let runs: ModeRun[];
const OPTS = { tradeDate: '2024-05-24', trades: 120, chunk: 50 };

const trade = (tradeId: string, tradeDate: string, market = 'XNYS'): Trade => ({
  tradeId,
  tradeDate,
  assetClass: 'EQUITY',
  market,
  quantity: 100,
  price: 10,
});

/** Rows of a mode's database, without the source column (which must differ). */
function rows(mode: string): unknown[] {
  const store = new TradeStore(join(dir, `same-day-${mode}.db`));
  try {
    return store.stmt('SELECT trade_id, settlement_date, rule_id, ruleset_version, status FROM trades ORDER BY trade_id').all();
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  // `main.js modes` runs compiled, as a child process.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'examples/trade-capture/tsconfig.json'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  await sidecar.start();
  rpc = createSettlementClient({ address: sidecar.address, deadlineMs: 5_000 });
  inProcess = createSettlementClient({ address: sidecar.address, mode: 'in-process', deadlineMs: 5_000 });
  await inProcess.ready({ timeoutMs: 20_000 });
  runs = await bookSameDay({ rpc, inProcess }, (mode) => new TradeStore(join(dir, `same-day-${mode}.db`)), OPTS);
});

afterAll(async () => {
  await rpc?.close();
  await inProcess?.close();
  await sidecar.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('the same day booked in each capture mode', () => {
  it('books every trade in every mode with the same date, rule and version; the source says who decided', () => {
    expect(runs.map((r) => r.mode)).toEqual([...CAPTURE_MODES]);
    // 2024-05-24 is a Friday before Memorial Day, under T+2: every trade settles 2024-05-29.
    for (const r of runs)
      expect(r).toMatchObject({ stats: { attempts: 120, captured: 120, rejected: 0, provisional: 0 }, dates: { '2024-05-29': 120 } });
    expect(runs.map((r) => r.sources)).toEqual([{ service: 120 }, { service: 120 }, { 'in-process': 120 }]);
    const sequential = rows('sequential');
    expect(sequential).toHaveLength(120);
    expect(rows('concurrent')).toEqual(sequential);
    expect(rows('in-process')).toEqual(sequential);
    for (const r of runs) expect(r.stats.sdkMs).toBeLessThan(r.stats.totalMs);
    expect(formatModes(runs, OPTS)).toMatch(/^in-process +[\d,]+ +[\d.]+x +\d+% +in-process 120 /m);
  });

  it.each([
    ['concurrent', () => askConcurrently(rpc)],
    ['in-process', () => askInProcess(inProcess)],
  ] as const)(
    '%s: business errors reject only their trade with the sidecar code; stored and repeated trades are not asked again',
    async (mode, make) => {
      const store = new TradeStore(join(dir, `errors-${mode}.db`));
      let asked = 0;
      const real = make();
      const counting: AskChunk = (trades) => ((asked += trades.length), real(trades));
      try {
        const capture = new BatchCapture(counting, store, 3);
        const first = await capture.captureAll([
          trade('A', '2024-05-28'),
          trade('MEMORIAL', '2024-05-27'),
          trade('NO-MIC', '2024-05-28', 'XXXX'),
          trade('A', '2024-05-28'),
          trade('B', '2024-05-31'),
        ]);
        expect(first.map((r) => [r.tradeId, r.outcome, r.outcome === 'rejected' ? r.code : r.settlementDate])).toEqual([
          ['A', 'captured', '2024-05-29'],
          ['MEMORIAL', 'rejected', 'NOT_A_TRADING_DAY'],
          ['NO-MIC', 'rejected', 'NO_RULE'],
          ['A', 'duplicate', '2024-05-29'],
          ['B', 'captured', '2024-06-03'],
        ]);
        expect(asked).toBe(4);
        const again = await capture.captureAll([trade('A', '2024-05-28'), trade('B', '2024-05-31')]);
        expect(again.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);
        expect(asked).toBe(4);
        expect(capture.stats()).toMatchObject({ attempts: 4, captured: 2, rejected: 2 });
        expect(store.stmt('SELECT trade_id, code FROM trade_rejections ORDER BY trade_id').all()).toEqual([
          { trade_id: 'MEMORIAL', code: 'NOT_A_TRADING_DAY' },
          { trade_id: 'NO-MIC', code: 'NO_RULE' },
        ]);
        expect(store.events('B').map((e) => [e.eventType, e.settlementSource])).toEqual([
          ['TRADE_CAPTURED', null],
          ['SETTLEMENT_DATE_ASSIGNED', mode === 'in-process' ? 'in-process' : 'service'],
        ]);
        expect(store.get('B').status).toBe('AWAITING_SETTLEMENT');
      } finally {
        store.close();
      }
    },
  );

  it('refuses a chunk size outside 1..100000, naming the value', () => {
    expect(() => new BatchCapture(askInProcess(inProcess), null as unknown as TradeStore, 0)).toThrow(
      'chunkSize must be an integer in 1..100000, got 0',
    );
  });
});

describe('main.js modes', () => {
  const run = promisify(execFile);
  const MAIN = resolve(ROOT, 'examples/trade-capture/dist/main.js');

  it('--json prints one object with trades and SDK time for each mode (what npm run bench reads)', async () => {
    const { stdout } = await run(process.execPath, [MAIN, 'modes', '--trades', '200', '--chunk', '100', '--json'], {
      cwd: ROOT,
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as { trades: number; runs: ModeRun[] };
    expect(out.trades).toBe(200);
    expect(out.runs.map((r) => [r.mode, r.stats.captured, r.stats.provisional])).toEqual([
      ['sequential', 200, 0],
      ['concurrent', 200, 0],
      ['in-process', 200, 0],
    ]);
  });

  it('refuses a bad --chunk with exit 2 and a message naming the flag and the value', async () => {
    const failed = await run(process.execPath, [MAIN, 'modes', '--chunk', '0'], { cwd: ROOT, timeout: 30_000 }).catch(
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('--chunk must be an integer in 1..100000, got 0');
  });
});
