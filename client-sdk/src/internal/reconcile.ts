import type { ProvisionalEntry } from '../provisional-ledger.js';
import type { ClientCore } from './client-core.js';
import { toMessage } from './client-core.js';

export interface ReconcileSummary {
  /** Entries asked about in this run. */
  readonly checked: number;
  readonly confirmed: number;
  readonly corrected: number;
  /** The service now refuses the trade (e.g. NO_RULE, NOT_A_TRADING_DAY): act on it. */
  readonly rejected: number;
  /** Still open because the service could not be reached; run reconcile again later. */
  readonly remaining: number;
}

const CHUNK = 1_000;

/**
 * Re-asks the service for every open provisional entry, in batches, through the batch breaker.
 * Resolved entries are never asked again, so running it twice (or concurrently) is safe.
 */
export async function reconcileLedger(core: ClientCore): Promise<ReconcileSummary> {
  const open = core.ledger.open();
  let confirmed = 0;
  let corrected = 0;
  let rejected = 0;
  let checked = 0;
  for (let i = 0; i < open.length; i += CHUNK) {
    const chunk: ProvisionalEntry[] = open.slice(i, i + CHUNK);
    let results;
    try {
      results = await core.batch.fire(
        chunk.map((e) => toMessage(e.request)),
        core.batchDeadlineMs,
      );
    } catch {
      break;
    }
    const reconciledAt = new Date().toISOString();
    chunk.forEach((entry, j) => {
      const r = results[j];
      if (!r) return;
      checked++;
      if (r.decision) {
        const d = r.decision;
        const same = d.settlementDate === entry.provisionalDate;
        core.ledger.resolve(entry.id, {
          status: same ? 'confirmed' : 'corrected',
          serviceDate: d.settlementDate,
          ruleId: d.ruleId,
          rulesetVersion: d.rulesetVersion,
          reconciledAt,
        });
        if (same) confirmed++;
        else {
          corrected++;
          core.events.emit('corrected', {
            ledgerId: entry.id,
            request: entry.request,
            provisionalDate: entry.provisionalDate,
            serviceDate: d.settlementDate,
            ruleId: d.ruleId,
            rulesetVersion: d.rulesetVersion,
          });
        }
      } else {
        const code = r.error?.code ?? 'UNKNOWN';
        rejected++;
        core.ledger.resolve(entry.id, { status: 'rejected', errorCode: code, reconciledAt });
        core.events.emit('corrected', {
          ledgerId: entry.id,
          request: entry.request,
          provisionalDate: entry.provisionalDate,
          serviceDate: null,
          errorCode: code,
        });
      }
    });
  }
  return { checked, confirmed, corrected, rejected, remaining: core.ledger.open().length };
}
