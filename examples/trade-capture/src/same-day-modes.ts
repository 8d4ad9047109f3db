import type { InProcessSettlementClient, SettlementClient } from '@tplus/client-sdk';
import { askConcurrently, askInProcess, BatchCapture } from './batch-capture.js';
import { syntheticTrades } from './synthetic-trades.js';
import { TradeCapture, type CaptureStats } from './trade-capture.js';
import type { TradeStore } from './trade-store.js';

export const CAPTURE_MODES = ['sequential', 'concurrent', 'in-process'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];

export interface SameDayOptions {
  /** The trade date booked in every mode. */
  readonly tradeDate: string;
  readonly trades: number;
  /** Trades in flight (concurrent) or decided (in-process) per SQLite transaction. */
  readonly chunk: number;
}

/** The cutover day itself, 5,000 trades, 1,000 per transaction. */
export const SAME_DAY: SameDayOptions = { tradeDate: '2024-05-28', trades: 5_000, chunk: 1_000 };

export interface ModeRun {
  readonly mode: CaptureMode;
  readonly stats: CaptureStats;
  /** Booked trades per settlement_source, read back from the store. */
  readonly sources: Readonly<Record<string, number>>;
  /** Booked trades per settlement date, read back from the store. */
  readonly dates: Readonly<Record<string, number>>;
}

export interface SameDayClients {
  /** An RPC-mode client (coalescing on, the default). */
  readonly rpc: SettlementClient;
  /** An in-process client, ready. */
  readonly inProcess: InProcessSettlementClient;
}

/**
 * Books the same day's trades three ways, each into its own fresh trades database from `openStore`:
 * sequential (one awaited RPC and one transaction per trade, the baseline), concurrent (a chunk of
 * trades in flight at once, coalesced by the SDK into batch RPCs, one transaction per chunk) and
 * in-process (decideSync from the synced ruleset, one transaction per chunk).
 */
export async function bookSameDay(
  clients: SameDayClients,
  openStore: (mode: CaptureMode) => TradeStore,
  opts: SameDayOptions = SAME_DAY,
): Promise<ModeRun[]> {
  const trades = syntheticTrades(opts.tradeDate, opts.trades);
  const runs: ModeRun[] = [];
  for (const mode of CAPTURE_MODES) {
    const store = openStore(mode);
    try {
      let stats: CaptureStats;
      if (mode === 'sequential') {
        const capture = new TradeCapture(clients.rpc, store);
        for (const t of trades) await capture.capture(t);
        stats = capture.stats();
      } else {
        const capture = new BatchCapture(
          mode === 'concurrent' ? askConcurrently(clients.rpc) : askInProcess(clients.inProcess),
          store,
          opts.chunk,
        );
        await capture.captureAll(trades);
        stats = capture.stats();
      }
      const count = (column: string): Record<string, number> =>
        Object.fromEntries(
          (
            store.stmt(`SELECT ${column} AS k, COUNT(*) AS n FROM trades GROUP BY ${column} ORDER BY ${column}`).all() as {
              k: string;
              n: number;
            }[]
          ).map((r) => [r.k, r.n]),
        );
      runs.push({ mode, stats, sources: count('settlement_source'), dates: count('settlement_date') });
    } finally {
      store.close();
    }
  }
  return runs;
}
