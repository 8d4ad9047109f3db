// The end-of-day batch of the trade-capture example: idempotent when run twice, and exactly one
// instruction per trade after a real child process is SIGKILLed half-way and the batch is rerun.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createSettlementClient, type SettlementClient } from '@tplus/client-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSidecar, REPO_ROOT } from '../../examples/trade-capture/src/embedded-sidecar.js';
import { settleDay, type SettleDayError } from '../../examples/trade-capture/src/settle-day.js';
import { syntheticTrades } from '../../examples/trade-capture/src/synthetic-trades.js';
import { TradeCapture } from '../../examples/trade-capture/src/trade-capture.js';
import { TradeStore } from '../../examples/trade-capture/src/trade-store.js';

const MAIN = resolve(REPO_ROOT, 'examples/trade-capture/dist/main.js');
const dir = mkdtempSync(join(tmpdir(), 'tplus-example-batch-'));
const sidecar = new EmbeddedSidecar(join(dir, 'sidecar'));
let client: SettlementClient;
const stores: TradeStore[] = [];

/** A trades database with 2024-05-24's T+2 and 2024-05-28's T+1 trades (both settle 2024-05-29), captured through the SDK. */
async function bookedStore(name: string, perDay: number): Promise<TradeStore> {
  const store = new TradeStore(join(dir, `${name}.db`));
  stores.push(store);
  const capture = new TradeCapture(client, store);
  for (const t of [...syntheticTrades('2024-05-24', perDay), ...syntheticTrades('2024-05-28', perDay)]) {
    expect(await capture.capture(t)).toMatchObject({ outcome: 'captured', source: 'service', settlementDate: '2024-05-29' });
  }
  return store;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string[];
  stderr: string;
}

/** Runs `main.js settle-day` as a child; with `haltAfter`, SIGKILLs it once it reports the halt. */
function runSettleDay(args: string[], haltAfter?: number): Promise<Run> {
  const env = { ...process.env, TRADE_CAPTURE_HALT_AFTER: haltAfter === undefined ? '' : String(haltAfter) };
  const child = spawn(process.execPath, [MAIN, 'settle-day', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout.push(line);
    if (line.includes('"event":"halted"')) child.kill('SIGKILL');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    }),
  );
}

function instructionsPerTrade(store: TradeStore): Map<string, number> {
  const rows = store.stmt('SELECT trade_id, COUNT(*) AS n FROM settlement_instructions GROUP BY trade_id').all() as {
    trade_id: string;
    n: number;
  }[];
  return new Map(rows.map((r) => [r.trade_id, r.n]));
}

function tradesSettlingOn(store: TradeStore, date: string): string[] {
  return (store.stmt('SELECT trade_id FROM trades WHERE settlement_date = ? ORDER BY trade_id').all(date) as { trade_id: string }[]).map(
    (r) => r.trade_id,
  );
}

beforeAll(async () => {
  // The crash drill runs the compiled CLI as a child process.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'examples/trade-capture/tsconfig.json'], { cwd: REPO_ROOT, stdio: 'pipe', timeout: 120_000 });
  await sidecar.start();
  client = createSettlementClient({ address: sidecar.address, deadlineMs: 2_000 });
});

afterAll(async () => {
  await client?.close();
  for (const s of stores) s.close();
  await sidecar.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('settle-day: exactly one instruction per trade', () => {
  it('run twice with the same batch id: the second run writes nothing', async () => {
    const store = await bookedStore('twice', 10);
    const first = settleDay(store, { date: '2024-05-29', batchId: 'EOD-2024-05-29' });
    expect(first).toMatchObject({ created: 20, total: 20, forcedReason: null, provisional: [] });
    const second = settleDay(store, { date: '2024-05-29', batchId: 'EOD-2024-05-29' });
    expect(second).toMatchObject({ created: 0, total: 20 });
    // A rerun under another batch id finds nothing left either: the selection is AWAITING_SETTLEMENT only.
    expect(settleDay(store, { date: '2024-05-29', batchId: 'EOD-2024-05-29-retry' })).toMatchObject({ created: 0, total: 0 });
    const per = instructionsPerTrade(store);
    expect([...per.keys()].sort()).toEqual(tradesSettlingOn(store, '2024-05-29'));
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    expect(store.stmt("SELECT COUNT(*) AS n FROM trades WHERE status = 'SETTLEMENT_IN_PROGRESS'").get()).toEqual({ n: 20 });
  });

  it('crash half-way (child SIGKILLed after 7 instructions) and rerun: exactly one instruction per trade', async () => {
    const store = await bookedStore('crash', 15);
    const db = join(dir, 'crash.db');
    const args = ['--db', db, '--date', '2024-05-29', '--batch-id', 'EOD-2024-05-29'];

    const crashed = await runSettleDay(args, 7);
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.stdout.map((l) => JSON.parse(l) as unknown)).toEqual([expect.objectContaining({ event: 'halted', instructions: 7 })]);
    expect([...instructionsPerTrade(store).values()]).toEqual(Array<number>(7).fill(1));
    expect(store.stmt('SELECT status, COUNT(*) AS n FROM trades GROUP BY status ORDER BY status').all()).toEqual([
      { status: 'AWAITING_SETTLEMENT', n: 23 },
      { status: 'SETTLEMENT_IN_PROGRESS', n: 7 },
    ]);

    const rerun = await runSettleDay(args);
    expect(rerun).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(rerun.stdout[0] ?? '{}')).toMatchObject({ batchId: 'EOD-2024-05-29', created: 23, total: 30 });
    const again = await runSettleDay(args);
    expect(JSON.parse(again.stdout[0] ?? '{}')).toMatchObject({ created: 0, total: 30 });

    const per = instructionsPerTrade(store);
    expect([...per.keys()].sort()).toEqual(tradesSettlingOn(store, '2024-05-29'));
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    const seqs = store.stmt('SELECT seq FROM settlement_instructions ORDER BY seq').all() as { seq: number }[];
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const started = store
      .stmt("SELECT trade_id, COUNT(*) AS n FROM trade_events WHERE event_type = 'SETTLEMENT_STARTED' GROUP BY trade_id HAVING n <> 1")
      .all();
    expect(started).toEqual([]);
  });

  it('refuses a batch id reused for another date, and a malformed date', async () => {
    const store = await bookedStore('misuse', 1);
    settleDay(store, { date: '2024-05-29', batchId: 'B1' });
    expect(() => settleDay(store, { date: '2024-05-30', batchId: 'B1' })).toThrow(
      expect.objectContaining({ code: 'BATCH_DATE_MISMATCH' }) as SettleDayError,
    );
    expect(() => settleDay(store, { date: '2024-02-30', batchId: 'B2' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as SettleDayError,
    );
    const cli = await runSettleDay(['--db', join(dir, 'misuse.db'), '--date', '2024-02-30', '--batch-id', 'B3']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('INVALID_ARGUMENT');
  });

  it('the CLI replays the cutover against its embedded sidecar and prints the per-day report', async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const child = spawn(process.execPath, [MAIN, '--trades-per-day', '4'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.resume();
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        done({ code, stdout });
      });
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/2024-05-29 +8 +2024-05-24 \(T\+2\) x 4, 2024-05-28 \(T\+1\) x 4 +<- double settlement day/);
    expect(out.stdout).toContain('every batch run twice: 0 new instructions on the rerun; 48 trades SETTLED');
    expect(out.stdout).toMatch(
      /capture throughput: 50 trades \(48 booked, 2 rejected\) in [\d.]+ s = [\d,]+ trades\/s .*SDK call \d+% of the time/,
    );
  });
});
