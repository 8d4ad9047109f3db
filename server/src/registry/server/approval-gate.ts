import { sha256Hex } from '@tplus/core';
import type { AppendOutcome, AuditContext, RegistryLedger } from './registry-ledger.js';
import type { PendingRecord, PendingStore } from './pending-store.js';
import { RegistryError } from './registry-error.js';
import type { AuditEntry } from '../index.js';

export interface ApprovalGateOptions {
  readonly ledger: RegistryLedger;
  readonly pending: PendingStore;
  /** How long a pending version waits for its approval before it expires. */
  readonly ttlMs: number;
  readonly now: () => Date;
  /** Writes one audit row (on the registry database's connection: inside the caller's transaction). */
  readonly audit: (entry: AuditEntry) => void;
  /** Called after a pending version expired (for the log). */
  readonly onExpired?: (p: PendingRecord) => void;
}

/** What a publish under four-eyes produced: a pending version, or nothing when the content is already live. */
export type SubmitOutcome =
  { readonly kind: 'pending'; readonly pending: PendingRecord } | { readonly kind: 'unchanged'; readonly outcome: AppendOutcome };

/** The account the registry audits its own actions (expiry) under. */
export const REGISTRY_ACTOR = 'registry';

/**
 * Four-eyes publishing (`tplus registry --require-approval`): a publish or rollback becomes a pending
 * version (not numbered, not signed, never sent to followers); another identity with the approve role
 * approves it, and only then is it signed with author and approver, numbered and audited, in one
 * transaction with the pending row's change of state. Rejections and expiries are audited.
 */
export class ApprovalGate {
  constructor(private readonly o: ApprovalGateOptions) {}

  /** Creates a pending version (idempotent: the same content from the same author returns the one already waiting). */
  submit(
    canonical: Buffer,
    author: string,
    reason: string,
    rollbackOf: number,
    expectVersion: number | undefined,
    audit: AuditContext,
  ): SubmitOutcome {
    const sha256 = sha256Hex(canonical);
    return this.o.pending.transaction(() => {
      const latest = this.o.ledger.store.latest();
      const latestVersion = latest?.version ?? 0;
      if (latest !== null && latest.sha256 === sha256)
        return { kind: 'unchanged', outcome: { record: latest, created: false, warnings: [] } };
      if (expectVersion !== undefined && expectVersion !== latestVersion)
        throw new RegistryError('VERSION_CONFLICT', `expected version ${expectVersion} to be the latest, but it is ${latestVersion}`, {
          expected: String(expectVersion),
          latest: String(latestVersion),
        });
      const waiting = this.o.pending.open().find((p) => p.sha256 === sha256 && p.author === author && p.rollbackOf === rollbackOf);
      if (waiting !== undefined) {
        this.o.audit({ ...this.row(audit), detail: `${audit.detail}; pending ${waiting.id} already awaits approval` });
        return { kind: 'pending', pending: waiting };
      }
      const now = this.o.now();
      const pending = this.o.pending.add({
        sha256,
        author,
        reason,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.o.ttlMs).toISOString(),
        rollbackOf,
        baseVersion: latestVersion,
        document: canonical,
      });
      this.o.audit({ ...this.row(audit), detail: `${audit.detail}; pending ${pending.id} awaits approval` });
      return { kind: 'pending', pending };
    });
  }

  /** Versions still waiting (expired ones are expired first). */
  list(): PendingRecord[] {
    this.expireDue();
    return this.o.pending.open();
  }

  /** One waiting version; VERSION_NOT_FOUND naming the id when there is none. */
  get(id: number): PendingRecord {
    this.expireDue();
    const p = this.o.pending.get(id);
    if (p === null)
      throw new RegistryError('VERSION_NOT_FOUND', `pending version ${id} does not exist or was approved, rejected or expired already`, {
        pending_id: String(id),
      });
    return p;
  }

  /** Signs, numbers and appends a pending version; never by its author (PERMISSION_DENIED naming both). */
  approve(id: number, approver: string, expectVersion: number | undefined, audit: AuditContext): AppendOutcome {
    const p = this.get(id);
    if (p.author === approver)
      throw new RegistryError(
        'PERMISSION_DENIED',
        `${approver} may not approve pending version ${id}: ${p.author} published it, and a second identity with the approve role must approve it`,
        { author: p.author, approver, pending_id: String(id) },
      );
    const at = this.o.now().toISOString();
    const outcome = this.o.ledger.appendApproved(
      p,
      approver,
      expectVersion,
      { ...audit, detail: `${audit.detail} author=${p.author}` },
      (v) => {
        if (!this.o.pending.resolve(id, 'approved', approver, at, v))
          throw new RegistryError('VERSION_NOT_FOUND', `pending version ${id} was resolved meanwhile`);
      },
    );
    if (!outcome.created) this.o.pending.resolve(id, 'approved', approver, at, outcome.record.version);
    return outcome;
  }

  /** Closes a pending version without creating anything; audited in the same transaction. */
  reject(id: number, by: string, reason: string, audit: AuditContext): PendingRecord {
    if (reason.trim() === '') throw new RegistryError('INVALID_ARGUMENT', 'a reason is required', { field: 'reason' });
    const p = this.get(id);
    this.o.pending.transaction(() => {
      if (!this.o.pending.resolve(id, 'rejected', by, this.o.now().toISOString()))
        throw new RegistryError('VERSION_NOT_FOUND', `pending version ${id} was resolved meanwhile`, { pending_id: String(id) });
      this.o.audit({ ...this.row(audit), detail: `${audit.detail}; rejected pending ${id} by ${p.author} (sha256 ${p.sha256})` });
    });
    return p;
  }

  /** Expires every pending version past its deadline, each with its audit row in one transaction. Returns how many. */
  expireDue(): number {
    const now = this.o.now();
    const due = this.o.pending.open().filter((p) => Date.parse(p.expiresAt) <= now.getTime());
    for (const p of due) {
      const expired = this.o.pending.transaction(() => {
        if (!this.o.pending.resolve(p.id, 'expired', REGISTRY_ACTOR, now.toISOString())) return false;
        this.o.audit({
          at: now.toISOString(),
          who: REGISTRY_ACTOR,
          action: 'Expire',
          detail: `pending ${p.id} by ${p.author} (sha256 ${p.sha256}, reason ${JSON.stringify(p.reason)}) was not approved by ${p.expiresAt}`,
          result: 'ok',
        });
        return true;
      });
      if (expired) this.o.onExpired?.(p);
    }
    return due.length;
  }

  private row(audit: AuditContext): AuditEntry {
    return { at: this.o.now().toISOString(), who: audit.who, action: audit.action, detail: audit.detail, result: 'ok' };
  }
}
