import type CircuitBreaker from 'opossum';
import type { AnswerSource } from './answer-source.js';
import type { CoalesceConfig } from './coalesce-options.js';
import type { BatchResultMessage, DecisionMessage, RequestMessage } from './settlement-stub.js';
import { itemError, toSettlementError } from './to-settlement-error.js';

export type BatchBreaker = CircuitBreaker<[readonly RequestMessage[], number], BatchResultMessage[]>;
type Resolve = (d: DecisionMessage) => void;
type Reject = (e: unknown) => void;

/** Calls waiting to travel together: one deadline, parallel arrays (no object per call). */
class PendingBatch {
  readonly items: RequestMessage[] = [];
  readonly resolves: Resolve[] = [];
  readonly rejects: Reject[] = [];
  constructor(readonly deadlineAt: number) {}
}

function settle(b: PendingBatch, results: readonly BatchResultMessage[]): void {
  for (let i = 0; i < b.items.length; i++) {
    const r = results[i];
    const d = r?.decision;
    if (d) (b.resolves[i] as Resolve)(d);
    else (b.rejects[i] as Reject)(itemError(r?.error?.code ?? 'INTERNAL', r?.error?.message ?? 'no result for this item'));
  }
}

/**
 * Coalesced RPC mode: single calls issued in the same event-loop turn (or within `windowMs`) and with
 * the same deadline travel as one BatchGetSettlementDates of at most `maxItems`, through the breaker
 * of the GetSettlementDate method. Calls are grouped by their deadline, so a call with a short deadline
 * never shortens a longer one's, and a long one never makes a short one wait: the batch's deadline is
 * its first call's, which within a group is the earliest. Per call there is the promise and three array
 * slots; one timer per window, not per call. A per-item error rejects only its caller (as a
 * SettlementError with the unary status); a failed batch rejects each of its callers with the same error.
 */
export class CoalescingSource implements AnswerSource {
  private readonly open = new Map<number, PendingBatch>();
  private adding: PendingBatch | null = null;
  private timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private readonly capture = (resolve: Resolve, reject: Reject): void => {
    const b = this.adding as PendingBatch;
    b.resolves.push(resolve);
    b.rejects.push(reject);
  };
  private readonly flushAll = (): void => {
    this.timer = null;
    for (const b of this.open.values()) this.send(b);
    this.open.clear();
  };

  constructor(
    private readonly breaker: BatchBreaker,
    private readonly config: CoalesceConfig,
    readonly ready: (timeoutMs: number) => Promise<void>,
  ) {}

  decide(req: RequestMessage, deadlineMs: number): Promise<DecisionMessage> {
    let b = this.open.get(deadlineMs);
    if (b === undefined) {
      b = new PendingBatch(Date.now() + deadlineMs);
      this.open.set(deadlineMs, b);
      this.timer ??= this.config.windowMs === 0 ? setImmediate(this.flushAll) : setTimeout(this.flushAll, this.config.windowMs);
    }
    b.items.push(req);
    this.adding = b;
    const answer = new Promise<DecisionMessage>(this.capture);
    this.adding = null;
    if (b.items.length >= this.config.maxItems) {
      this.open.delete(deadlineMs);
      this.send(b);
    }
    return answer;
  }

  private send(b: PendingBatch): void {
    const remaining = b.deadlineAt - Date.now();
    this.breaker.fire(b.items, remaining > 1 ? remaining : 1).then(
      (results) => settle(b, results),
      (e: unknown) => {
        const err = toSettlementError(e);
        for (const reject of b.rejects) reject(err);
      },
    );
  }
}
