import type { KeyObject } from 'node:crypto';
import type { RecordIntegrity } from './record-integrity.js';
import type { NewVersion, PendingApproval } from './registry-backend.js';
import { RegistryError } from './registry-error.js';
import { signFields } from './sign-fields.js';
import type { VersionRecord } from '../index.js';

/** What a publish or rollback asks to append. */
export interface NewContent {
  readonly canonical: Buffer;
  readonly author: string;
  readonly reason: string;
  readonly rollbackOf: number;
  readonly expectVersion: number | undefined;
  /** The identity that approved it (four-eyes), signed with the version. */
  readonly approver?: string;
  /** The call's audit row, committed with the version (its authenticated name, action and detail). */
  readonly audit: AuditContext;
  /** Set when the version comes from an approved pending version: closed in the same transaction. */
  readonly approves?: PendingApproval;
  /** A rollout candidate: runs inside the append's transaction with the new version number (to record it as not live). */
  readonly stage?: (version: number) => void;
}

/** The audit row a created version commits with: who asked (the authenticated name), and what they asked for. */
export interface AuditContext {
  readonly who: string;
  readonly action: string;
  readonly detail: string;
}

export interface Signer {
  readonly key: KeyObject;
  readonly keyId: string;
  readonly now: () => Date;
  readonly integrity: RecordIntegrity;
}

/**
 * The audit row committed together with a new version: the call's own row (one per call), its detail
 * ending in "created version N".
 */
export function auditOf(r: VersionRecord, at: Date, audit: AuditContext): NewVersion['audit'] {
  const detail = `${audit.detail === '' ? '' : `${audit.detail}; `}created version ${r.version}`;
  return { at: at.toISOString(), who: audit.who, action: audit.action, detail, result: 'ok' };
}

/**
 * The signed version to append on top of `latest` with its audit row, or null (after calling
 * `unchanged`) when `latest` already holds this content. VERSION_CONFLICT when an expected version is
 * given and is not the latest. A candidate is always new, and a `hidden` latest (an aborted candidate)
 * is never "the same content" as a publish.
 */
export function nextVersion(
  latest: VersionRecord | null,
  c: NewContent,
  sha256: string,
  signer: Signer,
  unchanged: (held: VersionRecord) => void,
  hidden: (version: number) => boolean = () => false,
): NewVersion | null {
  // Identical content first: a retried publish whose first attempt committed gets its version back.
  // A latest version altered at rest is not "the same content": the publish creates a good new version.
  const reusable = latest !== null && c.stage === undefined && !hidden(latest.version);
  if (reusable && latest.sha256 === sha256 && signer.integrity.isIntact(latest)) {
    unchanged(latest);
    return null;
  }
  const latestVersion = latest?.version ?? 0;
  if (c.expectVersion !== undefined && c.expectVersion !== latestVersion) {
    throw new RegistryError('VERSION_CONFLICT', `expected version ${c.expectVersion} to be the latest, but it is ${latestVersion}`, {
      expected: String(c.expectVersion),
      latest: String(latestVersion),
    });
  }
  const fields = {
    version: latestVersion + 1,
    parentVersion: latestVersion,
    sha256,
    author: c.author,
    reason: c.reason,
    publishedAt: signer.now().toISOString(),
    rollbackOf: c.rollbackOf,
    ...(c.approver === undefined ? {} : { approver: c.approver }),
  };
  const record = { ...fields, signature: signFields(fields, signer.key), keyId: signer.keyId, document: c.canonical };
  c.stage?.(record.version);
  const audit = auditOf(record, signer.now(), c.audit);
  return c.approves === undefined ? { record, audit } : { record, audit, approves: c.approves };
}
