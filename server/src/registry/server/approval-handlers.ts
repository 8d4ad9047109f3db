import { callerName } from './caller-identity.js';
import type { ApprovalGate, SubmitOutcome } from './approval-gate.js';
import type { PendingRecord } from './pending-store.js';
import { RegistryError } from './registry-error.js';
import { registryUnary, type RegistryHandlerContext } from './registry-handler.js';
import type { RegistryLedger } from './registry-ledger.js';
import type { RegistryBackend } from './registry-backend.js';
import {
  NO_VERSION,
  versionInfo,
  type ApproveRequestMessage,
  type ListAuditRequestMessage,
  type ListAuditResponseMessage,
  type ListPendingRequestMessage,
  type ListPendingResponseMessage,
  type PendingVersionMessage,
  type PublishResponseMessage,
  type RegistryServiceHandlers,
  type RejectRequestMessage,
  type RejectResponseMessage,
} from '../index.js';

export interface ApprovalHandlerDeps extends RegistryHandlerContext {
  readonly ledger: RegistryLedger;
  readonly store: RegistryBackend;
  /** Null when the registry does not require approval (ListPending is then empty; Approve/Reject refused). */
  readonly approvals: ApprovalGate | null;
}

const AUDIT_PAGE_DEFAULT = 1_000;
const AUDIT_PAGE_MAX = 10_000;

export function pendingMessage(p: PendingRecord): PendingVersionMessage {
  return {
    id: p.id,
    sha256: p.sha256,
    author: p.author,
    reason: p.reason,
    createdAt: p.createdAt,
    expiresAt: p.expiresAt,
    rollbackOf: p.rollbackOf,
    baseVersion: p.baseVersion,
  };
}

/** The answer to a Publish or Rollback under four-eyes: the pending version, and the live version unchanged. */
export async function submittedResponse(
  out: SubmitOutcome,
  warnings: readonly string[],
  ledger: RegistryLedger,
): Promise<PublishResponseMessage> {
  if (out.kind === 'unchanged') return { version: versionInfo(out.outcome.record), created: false, warnings: [...warnings], pending: null };
  const latest = await ledger.store.latest();
  return {
    version: latest === null ? NO_VERSION : versionInfo(latest),
    created: false,
    warnings: [...warnings],
    pending: pendingMessage(out.pending),
  };
}

function gate(deps: ApprovalHandlerDeps): ApprovalGate {
  if (deps.approvals === null)
    throw new RegistryError(
      'INVALID_ARGUMENT',
      'this registry does not require approval (start it with --require-approval): nothing is pending',
      {
        field: 'pending_id',
      },
    );
  return deps.approvals;
}

/** ListAudit, ListPending, Approve and Reject, through the registry adapter (auth, audit, status table). */
export function approvalHandlers(
  deps: ApprovalHandlerDeps,
): Pick<RegistryServiceHandlers, 'ListAudit' | 'ListPending' | 'Approve' | 'Reject'> {
  const expectText = (v: number | undefined): string => (v === undefined ? '' : ` expect_version=${v}`);
  return {
    ListAudit: registryUnary<ListAuditRequestMessage, ListAuditResponseMessage>(
      { method: 'ListAudit', role: 'read', describe: (r) => `after_id=${r.afterId} limit=${r.limit}` },
      deps,
      async (r) => {
        if (r.limit > AUDIT_PAGE_MAX)
          throw new RegistryError('INVALID_ARGUMENT', `limit ${r.limit} is above ${AUDIT_PAGE_MAX}`, { field: 'limit' });
        return { rows: await deps.store.auditPage(r.afterId, r.limit === 0 ? AUDIT_PAGE_DEFAULT : r.limit) };
      },
    ),
    ListPending: registryUnary<ListPendingRequestMessage, ListPendingResponseMessage>(
      { method: 'ListPending', role: 'read', describe: () => '' },
      deps,
      async () => ({ pending: deps.approvals === null ? [] : (await deps.approvals.list()).map(pendingMessage) }),
    ),
    Approve: registryUnary<ApproveRequestMessage, PublishResponseMessage>(
      {
        method: 'Approve',
        role: 'approve',
        refuse: () => deps.ledger.refuseOnRelay(),
        describe: (r) => `pending_id=${r.pendingId}${expectText(r.expectVersion)}`,
        outcome: (res) => `unchanged: version ${res.version.version}`,
        auditedWith: (res) => res.created,
      },
      deps,
      async (r, who, _scope, detail) => {
        if (r.pendingId === 0) throw new RegistryError('INVALID_ARGUMENT', 'pending_id is required', { field: 'pending_id' });
        const name = callerName(who);
        const out = await gate(deps).approve(r.pendingId, name, r.expectVersion, { who: name, action: 'Approve', detail });
        return { version: versionInfo(out.record), created: out.created, warnings: [], pending: null };
      },
    ),
    Reject: registryUnary<RejectRequestMessage, RejectResponseMessage>(
      {
        method: 'Reject',
        role: 'approve',
        refuse: () => deps.ledger.refuseOnRelay(),
        describe: (r) => `pending_id=${r.pendingId} reason=${JSON.stringify(r.reason.slice(0, 200))}`,
        auditedWith: () => true,
      },
      deps,
      async (r, who, _scope, detail) => {
        if (r.pendingId === 0) throw new RegistryError('INVALID_ARGUMENT', 'pending_id is required', { field: 'pending_id' });
        const name = callerName(who);
        return { pending: pendingMessage(await gate(deps).reject(r.pendingId, name, r.reason, { who: name, action: 'Reject', detail })) };
      },
    ),
  };
}
