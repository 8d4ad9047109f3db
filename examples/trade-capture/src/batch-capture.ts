import {
  SettlementError,
  type InProcessSettlementClient,
  type SettlementClient,
  type SettlementDetails,
  type SettlementRequest,
} from '@tplus/client-sdk';
import { toAssignment, type CaptureResult, type CaptureStats } from './trade-capture.js';
import type { Trade } from './trade.js';
import type { DateAssignment, Rejection, TradeStore } from './trade-store.js';

/** One SDK answer for one trade: a date, or the business error that refuses the trade. */
export type Answer =
  { readonly ok: true; readonly details: SettlementDetails } | { readonly ok: false; readonly code: string; readonly reason: string };

/** Asks the SDK for the dates of a chunk of trades; answers in the order of the trades. */
export type AskChunk = (trades: readonly Trade[]) => Promise<Answer[]>;

const request = (t: Trade): SettlementRequest => ({ tradeDate: t.tradeDate, assetClass: t.assetClass, market: t.market });

/** A business error becomes the trade's rejection; anything else (fallback: false, a bug) is thrown. */
function refusal(e: unknown): Answer {
  if (e instanceof SettlementError && e.isCallerError) return { ok: false, code: e.reason, reason: e.message };
  throw e;
}

/**
 * Concurrent capture over RPC: every trade of the chunk is asked at once, in one event-loop turn, so
 * the SDK's coalescing sends them as BatchGetSettlementDates RPCs of up to `coalesce.maxItems`; each
 * call keeps its own deadline, fallback and error.
 */
export function askConcurrently(client: SettlementClient): AskChunk {
  return (trades) =>
    Promise.all(trades.map((t) => client.getSettlementDateDetails(request(t)).then((details): Answer => ({ ok: true, details }), refusal)));
}

/**
 * In-process capture: `decideSync` answers from the client's synced, verified ruleset, no I/O. Before
 * the first sync (NOT_READY) the trade is asked through the promise API, which answers with the
 * provisional T+2 fallback and its ledger entry, as the fallback contract says.
 */
export function askInProcess(client: InProcessSettlementClient): AskChunk {
  return async (trades) => {
    const out: Answer[] = [];
    for (const t of trades) {
      try {
        out.push({ ok: true, details: client.decideSync(request(t)) });
      } catch (e) {
        if (e instanceof SettlementError && e.reason === 'NOT_READY') {
          out.push(await client.getSettlementDateDetails(request(t)).then((details): Answer => ({ ok: true, details }), refusal));
        } else out.push(refusal(e));
      }
    }
    return out;
  };
}

/**
 * Books trades a chunk at a time: the chunk's answers from `ask`, then ONE SQLite transaction for the
 * whole chunk (the same rows and events as TradeCapture, one commit instead of one per trade). A
 * trade already in the store, or twice in the input, is not asked again. `stats().sdkMs` is the time
 * spent waiting for `ask`.
 */
export class BatchCapture {
  private counts = { attempts: 0, captured: 0, provisional: 0, rejected: 0, totalMs: 0, sdkMs: 0 };

  constructor(
    private readonly ask: AskChunk,
    private readonly store: TradeStore,
    private readonly chunkSize = 1_000,
  ) {
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100_000)
      throw new RangeError(`chunkSize must be an integer in 1..100000, got ${chunkSize}`);
  }

  async captureAll(trades: readonly Trade[]): Promise<CaptureResult[]> {
    const results: CaptureResult[] = [];
    for (let i = 0; i < trades.length; i += this.chunkSize) results.push(...(await this.captureChunk(trades.slice(i, i + this.chunkSize))));
    return results;
  }

  stats(): CaptureStats {
    return { ...this.counts };
  }

  private async captureChunk(chunk: readonly Trade[]): Promise<CaptureResult[]> {
    const started = performance.now();
    const results: (CaptureResult | null)[] = chunk.map(() => null);
    const fresh: Trade[] = [];
    const first = new Map<string, number>();
    const stored = this.store.findDates(chunk.map((t) => t.tradeId));
    chunk.forEach((t, i) => {
      const existing = stored.get(t.tradeId);
      if (existing !== undefined) results[i] = { outcome: 'duplicate', tradeId: t.tradeId, settlementDate: existing };
      else if (!first.has(t.tradeId)) {
        first.set(t.tradeId, i);
        fresh.push(t);
      }
    });
    this.counts.attempts += fresh.length;
    const asked = performance.now();
    const answers = fresh.length === 0 ? [] : await this.ask(fresh);
    this.counts.sdkMs += performance.now() - asked;
    const captured: { trade: Trade; a: DateAssignment }[] = [];
    const rejected: Rejection[] = [];
    fresh.forEach((trade, k) => {
      const answer = answers[k] as Answer;
      const i = first.get(trade.tradeId) as number;
      if (!answer.ok) {
        rejected.push({ trade, code: answer.code, reason: answer.reason });
        results[i] = { outcome: 'rejected', tradeId: trade.tradeId, code: answer.code, reason: answer.reason };
        return;
      }
      const a = toAssignment(answer.details);
      captured.push({ trade, a });
      if (answer.details.provisional) this.counts.provisional++;
      results[i] = {
        outcome: 'captured',
        tradeId: trade.tradeId,
        settlementDate: a.settlementDate,
        source: a.source,
        provisional: answer.details.provisional,
        ruleId: a.ruleId,
        rulesetVersion: a.rulesetVersion,
      };
    });
    this.store.insertMany(captured, rejected);
    this.counts.captured += captured.length;
    this.counts.rejected += rejected.length;
    this.counts.totalMs += performance.now() - started;
    // A trade given twice in one chunk: asked once; the repeat is a duplicate of what the first got.
    return results.map((r, i) => {
      if (r !== null) return r;
      const t = chunk[i] as Trade;
      const earlier = results[first.get(t.tradeId) as number];
      return earlier?.outcome === 'captured'
        ? { outcome: 'duplicate', tradeId: t.tradeId, settlementDate: earlier.settlementDate }
        : (earlier as CaptureResult);
    });
  }
}
