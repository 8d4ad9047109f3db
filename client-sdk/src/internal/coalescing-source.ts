import type CircuitBreaker from 'opossum';
import { cancelledError, whenAborted } from './abort.js';
import type { AnswerSource } from './answer-source.js';
import type { CoalesceConfig } from './coalesce-options.js';
import type { BatchResultMessage, DecisionMessage, RequestMessage } from './settlement-stub.js';
import { itemError, toSettlementError } from './to-settlement-error.js';

export type BatchBreaker = CircuitBreaker<[readonly RequestMessage[], number, (AbortSignal | undefined)?], BatchResultMessage[]>;
type Resolve = (d: DecisionMessage) => void;
type Reject = (e: unknown) => void;

/** Calls waiting to travel together: one deadline, parallel arrays (no object per call). */
class PendingBatch {
  readonly items: RequestMessage[] = [];
  readonly resolves: Resolve[] = [];
  readonly rejects: Reject[] = [];
  sent = false;
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
 * A call whose AbortSignal aborts rejects with CANCELLED at once: it is taken out of its batch if the
 * batch has not left yet, otherwise the batch goes on for the others and its answer is dropped.
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
    for (const b of this.open.values()) if (b.items.length > 0) this.send(b);
    this.open.clear();
  };

  constructor(
    private readonly breaker: BatchBreaker,
    private readonly config: CoalesceConfig,
    readonly ready: (timeoutMs: number) => Promise<void>,
  ) {}

  decide(req: RequestMessage, deadlineMs: number, signal?: AbortSignal): Promise<DecisionMessage> {
    if (signal?.aborted) return Promise.reject(cancelledError(signal));
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
    const abortable = signal ? this.abortable(b, answer, signal) : answer;
    if (b.items.length >= this.config.maxItems) {
      this.open.delete(deadlineMs);
      this.send(b);
    }
    return abortable;
  }

  /** `answer`, or CANCELLED as soon as `signal` aborts (taking the call out of `b` if `b` has not left). */
  private abortable(b: PendingBatch, answer: Promise<DecisionMessage>, signal: AbortSignal): Promise<DecisionMessage> {
    const reject = b.rejects[b.rejects.length - 1] as Reject;
    return new Promise<DecisionMessage>((resolve, fail) => {
      const stop = whenAborted(signal, () => {
        if (!b.sent) {
          const i = b.rejects.indexOf(reject);
          b.items.splice(i, 1);
          b.resolves.splice(i, 1);
          b.rejects.splice(i, 1);
        }
        fail(cancelledError(signal));
      });
      answer.then(
        (d) => {
          stop();
          resolve(d);
        },
        (e: unknown) => {
          stop();
          fail(e);
        },
      );
    });
  }

  private send(b: PendingBatch): void {
    b.sent = true;
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
