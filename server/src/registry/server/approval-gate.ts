import { sha256Hex } from '@tplus/core';
import type { AppendOutcome, AuditContext, RegistryLedger } from './registry-ledger.js';
import type { PendingRecord } from './pending-store.js';
import { RegistryError } from './registry-error.js';
import type { AuditEntry } from '../index.js';

export interface ApprovalGateOptions {
  readonly ledger: RegistryLedger;
  /** How long a pending version waits for its approval before it expires. */
  readonly ttlMs: number;
  readonly now: () => Date;
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
 * transaction of the store (SQLite or etcd) with the pending version's closing. Rejections and expiries
 * are audited in the transaction that closes them.
 */
export class ApprovalGate {
  constructor(private readonly o: ApprovalGateOptions) {}

  private get store(): RegistryLedger['store'] {
    return this.o.ledger.store;
  }

  /** Creates a pending version (idempotent: the same content from the same author returns the one already waiting). */
  async submit(
    canonical: Buffer,
    author: string,
    reason: string,
    rollbackOf: number,
    expectVersion: number | undefined,
    audit: AuditContext,
  ): Promise<SubmitOutcome> {
    const sha256 = sha256Hex(canonical);
    const latest = await this.store.latest();
    const latestVersion = latest?.version ?? 0;
    if (latest !== null && latest.sha256 === sha256)
      return { kind: 'unchanged', outcome: { record: latest, created: false, warnings: [] } };
    if (expectVersion !== undefined && expectVersion !== latestVersion)
      throw new RegistryError('VERSION_CONFLICT', `expected version ${expectVersion} to be the latest, but it is ${latestVersion}`, {
        expected: String(expectVersion),
        latest: String(latestVersion),
      });
    const open = await this.store.openPending();
    const waiting = open.find((p) => p.sha256 === sha256 && p.author === author && p.rollbackOf === rollbackOf);
    if (waiting !== undefined) {
      await this.store.audit({ ...this.row(audit), detail: `${audit.detail}; pending ${waiting.id} already awaits approval` });
      return { kind: 'pending', pending: waiting };
    }
    const now = this.o.now();
    const p = {
      sha256,
      author,
      reason,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.o.ttlMs).toISOString(),
      rollbackOf,
      baseVersion: latestVersion,
      document: canonical,
    };
    const pending = await this.store.addPending(p, (id) => ({
      ...this.row(audit),
      detail: `${audit.detail}; pending ${id} awaits approval`,
    }));
    return { kind: 'pending', pending };
  }

  /** Versions still waiting (expired ones are expired first). */
  async list(): Promise<PendingRecord[]> {
    await this.expireDue();
    return this.store.openPending();
  }

  /** One waiting version; VERSION_NOT_FOUND naming the id when there is none. */
  async get(id: number): Promise<PendingRecord> {
    await this.expireDue();
    const p = await this.store.getPending(id);
    if (p === null)
      throw new RegistryError('VERSION_NOT_FOUND', `pending version ${id} does not exist or was approved, rejected or expired already`, {
        pending_id: String(id),
      });
    return p;
  }

  /** Signs, numbers and appends a pending version; never by its author (PERMISSION_DENIED naming both). */
  async approve(id: number, approver: string, expectVersion: number | undefined, audit: AuditContext): Promise<AppendOutcome> {
    const p = await this.get(id);
    if (p.author === approver)
      throw new RegistryError(
        'PERMISSION_DENIED',
        `${approver} may not approve pending version ${id}: ${p.author} published it, and a second identity with the approve role must approve it`,
        { author: p.author, approver, pending_id: String(id) },
      );
    const outcome = await this.o.ledger.appendApproved(p, approver, expectVersion, {
      ...audit,
      detail: `${audit.detail} author=${p.author}`,
    });
    if (!outcome.created) {
      // Its content is live already (published again meanwhile): it closes as approved, as that version (the handler audits the call).
      await this.store.closePending(id, 'approved', approver, this.o.now().toISOString(), null, outcome.record.version);
    }
    return outcome;
  }

  /** Closes a pending version without creating anything; audited in the same transaction. */
  async reject(id: number, by: string, reason: string, audit: AuditContext): Promise<PendingRecord> {
    if (reason.trim() === '') throw new RegistryError('INVALID_ARGUMENT', 'a reason is required', { field: 'reason' });
    const p = await this.get(id);
    const row = { ...this.row(audit), detail: `${audit.detail}; rejected pending ${id} by ${p.author} (sha256 ${p.sha256})` };
    if (!(await this.store.closePending(id, 'rejected', by, this.o.now().toISOString(), row)))
      throw new RegistryError('VERSION_NOT_FOUND', `pending version ${id} was resolved meanwhile`, { pending_id: String(id) });
    return p;
  }

  /** Expires every pending version past its deadline, each with its audit row in one transaction. Returns how many. */
  async expireDue(): Promise<number> {
    const now = this.o.now();
    const due = (await this.store.openPending()).filter((p) => Date.parse(p.expiresAt) <= now.getTime());
    for (const p of due) {
      const row = {
        at: now.toISOString(),
        who: REGISTRY_ACTOR,
        action: 'Expire',
        detail: `pending ${p.id} by ${p.author} (sha256 ${p.sha256}, reason ${JSON.stringify(p.reason)}) was not approved by ${p.expiresAt}`,
        result: 'ok',
      };
      if (await this.store.closePending(p.id, 'expired', REGISTRY_ACTOR, now.toISOString(), row)) this.o.onExpired?.(p);
    }
    return due.length;
  }

  private row(audit: AuditContext): AuditEntry {
    return { at: this.o.now().toISOString(), who: audit.who, action: audit.action, detail: audit.detail, result: 'ok' };
  }
}
