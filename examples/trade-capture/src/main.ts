#!/usr/bin/env node
// The example's composition root: the only place that reads argv and the environment.
//
//   node examples/trade-capture/dist/main.js [replay] [--trades-per-day N] [--db FILE]
//       starts an embedded sidecar, replays 2024-05-20..2024-06-05 across the T+1 cutover, prints
//       the instructions per settlement day and the capture throughput, stops the sidecar.
//       Then books one day (2024-05-28) again in each mode: sequential (the baseline), concurrent
//       (coalesced RPC) and in-process, each into its own database, and prints trades/s per mode.
//   node examples/trade-capture/dist/main.js modes [--trades N] [--chunk N] [--json]
//       only the same-day comparison (`--json`: one JSON object on stdout, for `npm run bench`).
//   node examples/trade-capture/dist/main.js settle-day --db FILE --date YYYY-MM-DD --batch-id B [--force REASON]
//       the end-of-day batch alone (no sidecar needed: it only asks the database "what settles today").
//
// TRADE_CAPTURE_HALT_AFTER=K (settle-day, for crash drills): after K instructions are committed,
// print {"event":"halted"} and hang until killed.
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSettlementClient, type SettlementClient } from '@tplus/client-sdk';
import { CUTOVER_REPLAY, runCutoverReplay } from './cutover-replay.js';
import { EmbeddedSidecar } from './embedded-sidecar.js';
import { formatModes, formatReport, formatThroughput } from './format-report.js';
import { bookSameDay, SAME_DAY, type ModeRun, type SameDayOptions } from './same-day-modes.js';
import { SettleDayError, settleDay } from './settle-day.js';
import { TradeStore } from './trade-store.js';

async function replay(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'trades-per-day': { type: 'string' }, db: { type: 'string' } } });
  const perDay = values['trades-per-day'] === undefined ? CUTOVER_REPLAY.tradesPerDay : Number(values['trades-per-day']);
  if (!Number.isInteger(perDay) || perDay < 1 || perDay > 100_000) return usage('--trades-per-day must be an integer in 1..100000');
  return withSidecar(async (client, work) => {
    const store = new TradeStore(values.db ?? join(work, 'trades.db'));
    let report;
    try {
      report = await runCutoverReplay(client, store, { ...CUTOVER_REPLAY, tradesPerDay: perDay });
    } finally {
      store.close();
    }
    console.log(formatReport(report));
    console.log('');
    console.log(formatThroughput(report.capture));
    if (values.db !== undefined) console.log(`\ntrades database kept at ${values.db}`);
    const runs = await sameDay(client, work, SAME_DAY);
    console.log('');
    console.log(formatModes(runs, SAME_DAY));
    const provisional = runs.reduce((p, r) => p + r.stats.provisional, 0);
    return report.provisional === 0 && report.rerunInstructions === 0 && provisional === 0 ? 0 : 1;
  });
}

async function modes(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { trades: { type: 'string' }, chunk: { type: 'string' }, json: { type: 'boolean' } } });
  const trades = values.trades === undefined ? SAME_DAY.trades : Number(values.trades);
  const chunk = values.chunk === undefined ? SAME_DAY.chunk : Number(values.chunk);
  if (!Number.isInteger(trades) || trades < 1 || trades > 1_000_000)
    return usage(`--trades must be an integer in 1..1000000, got ${values.trades}`);
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 100_000)
    return usage(`--chunk must be an integer in 1..100000, got ${values.chunk}`);
  const opts = { ...SAME_DAY, trades, chunk };
  return withSidecar(async (client, work) => {
    const runs = await sameDay(client, work, opts);
    console.log(values.json ? JSON.stringify({ ...opts, runs }) : formatModes(runs, opts));
    return runs.some((r) => r.stats.provisional > 0) ? 1 : 0;
  });
}

/** The same day in each mode; the in-process client syncs from the same sidecar. */
async function sameDay(rpc: SettlementClient, work: string, opts: SameDayOptions): Promise<ModeRun[]> {
  const address = sidecarAddress(work);
  const inProcess = createSettlementClient({
    address,
    mode: 'in-process',
    deadlineMs: 1_000,
    onAlert: (a) => console.error(`ALERT ${a.message}`),
  });
  try {
    await inProcess.ready({ timeoutMs: 20_000 });
    return await bookSameDay({ rpc, inProcess }, (mode) => new TradeStore(join(work, `same-day-${mode}.db`)), opts);
  } finally {
    await inProcess.close();
  }
}

const sidecarAddress = (work: string): string => new EmbeddedSidecar(join(work, 'sidecar')).address;

/** A temp directory with an embedded sidecar and an RPC client, all removed after `run`. */
async function withSidecar(run: (client: SettlementClient, work: string) => Promise<number>): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'tplus-trade-capture-'));
  const sidecar = new EmbeddedSidecar(join(work, 'sidecar'));
  const client = createSettlementClient({
    address: sidecar.address,
    deadlineMs: 1_000,
    onAlert: (a) => console.error(`ALERT ${a.message}`),
  });
  try {
    await sidecar.start();
    return await run(client, work);
  } finally {
    await client.close();
    await sidecar.stop('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

function settleDayCommand(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: { db: { type: 'string' }, date: { type: 'string' }, 'batch-id': { type: 'string' }, force: { type: 'string' } },
  });
  if (values.db === undefined || values.date === undefined || values['batch-id'] === undefined)
    return usage('settle-day needs --db, --date and --batch-id');
  const haltRaw = process.env['TRADE_CAPTURE_HALT_AFTER'];
  const haltAfter = haltRaw === undefined || haltRaw === '' ? null : Number(haltRaw);
  if (haltAfter !== null && (!Number.isInteger(haltAfter) || haltAfter < 1))
    return usage('TRADE_CAPTURE_HALT_AFTER must be a positive integer');
  const store = new TradeStore(values.db);
  try {
    const result = settleDay(store, {
      date: values.date,
      batchId: values['batch-id'],
      ...(values.force === undefined ? {} : { forceReason: values.force }),
      afterInstruction: (count, tradeId) => {
        if (count !== haltAfter) return;
        writeSync(1, `${JSON.stringify({ event: 'halted', instructions: count, tradeId })}\n`);
        // Hang (bounded) with the instructions so far committed, until the drill kills the process.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
        process.exit(3);
      },
    });
    console.log(JSON.stringify(result));
    return 0;
  } catch (e) {
    if (!(e instanceof SettleDayError)) throw e;
    console.error(JSON.stringify({ error: e.code, message: e.message, tradeIds: e.tradeIds }));
    return e.code === 'INVALID_ARGUMENT' ? 2 : 1;
  } finally {
    store.close();
  }
}

function usage(message: string): number {
  console.error(
    `${message}\nusage: main.js [replay] [--trades-per-day N] [--db FILE]\n       main.js modes [--trades N] [--chunk N] [--json]\n       main.js settle-day --db FILE --date YYYY-MM-DD --batch-id B [--force REASON]`,
  );
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('--')) return replay(argv);
  if (command === 'replay') return replay(rest);
  if (command === 'modes') return modes(rest);
  if (command === 'settle-day') return settleDayCommand(rest);
  return usage(`unknown command ${command}`);
}

process.exitCode = await main(process.argv.slice(2));
