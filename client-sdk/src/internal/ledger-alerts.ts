import { isWatchable } from '../ledger-events.js';
import type { ProvisionalLedger } from '../provisional-ledger.js';
import type { SettlementClientEvents } from '../types.js';
import type { AlertPolicy } from './alert-policy.js';
import type { ClientMetrics } from './client-metrics.js';
import type { EventHub } from './event-hub.js';

/**
 * Turns a file ledger's write reports into the client's metrics and `alert` events: every failed write
 * counts in tplus_client_ledger_write_failures_total; alerts follow the fallback alert's rhythm (the
 * first failure of an incident at once, then at most once per interval). A backlog alerts each time.
 * Returns the unsubscribe function (nothing to undo for an in-memory ledger).
 */
export function watchLedger(
  ledger: ProvisionalLedger,
  events: EventHub<SettlementClientEvents>,
  metrics: ClientMetrics | null,
  policy: AlertPolicy,
): () => void {
  if (!isWatchable(ledger)) return () => undefined;
  return ledger.watch((e) => {
    if (e.type === 'writeFailed') {
      metrics?.ledgerWriteFailure();
      const alert = policy.onFallback(e.at);
      if (!alert) return;
      events.emit('alert', {
        kind: 'ledger',
        errorCode: 'LEDGER_WRITE_FAILED',
        message: `tplus ledger write failing (${e.error.message}); ${e.pending} entries kept in memory, retrying`,
        ...alert,
        pendingEntries: e.pending,
        at: e.at,
      });
    } else if (e.type === 'backlog') {
      events.emit('alert', {
        kind: 'ledger',
        errorCode: 'LEDGER_BACKLOG',
        message: `tplus ledger behind: ${e.pending} entries waiting for disk (kept in memory)`,
        fallbacksSinceLastAlert: 1,
        incidentStartedAt: e.at,
        pendingEntries: e.pending,
        at: e.at,
      });
    }
  });
}
