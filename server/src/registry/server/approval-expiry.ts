import type { Logger } from '../../runtime/index.js';
import { ApprovalGate } from './approval-gate.js';
import type { RegistryLedger } from './registry-ledger.js';

/**
 * The four-eyes gate of a registry started with --require-approval (null without it), and the timer that
 * expires pending versions past their time to live (checked at least every minute). `close()` stops it.
 */
export function startApprovalGate(
  ttlMs: number | undefined,
  deps: { readonly ledger: RegistryLedger; readonly now: () => Date; readonly log: Logger },
): { readonly gate: ApprovalGate | null; close(): void } {
  if (ttlMs === undefined) return { gate: null, close: () => undefined };
  const { log } = deps;
  const gate = new ApprovalGate({
    ledger: deps.ledger,
    ttlMs,
    now: deps.now,
    onExpired: (p) => log.warn('pending_expired', { pendingId: p.id, author: p.author, sha256: p.sha256, expiresAt: p.expiresAt }),
  });
  const timer = setInterval(
    () => void gate.expireDue().catch((err: unknown) => log.error('pending_expiry_failed', { error: err })),
    Math.min(ttlMs, 60_000),
  );
  timer.unref();
  return { gate, close: () => clearInterval(timer) };
}
