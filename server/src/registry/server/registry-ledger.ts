import type { KeyObject } from 'node:crypto';
import type { DayNumber } from '@tplus/core';
import { compileUpload, type UploadedFile } from './publish-pack.js';
import type { RecordIntegrity } from './record-integrity.js';
import { RegistryError } from './registry-error.js';
import type { PendingRecord } from './pending-store.js';
import type { PublishPhase } from './publish-pause.js';
import type { RegistryStore } from './registry-store.js';
import { keyId, sha256Hex } from '@tplus/core';
import { signFields } from './sign-fields.js';
import type { VersionRecord } from '../index.js';

export interface LedgerOptions {
  readonly store: RegistryStore;
  /** Null on a relay: it only replicates its upstream's signed versions and refuses local writes. */
  readonly signingKey: KeyObject | null;
  /** On a relay, the upstream address (named when a local write is refused). */
  readonly upstream?: string;
  /** RFC 3339 UTC "now". */
  readonly now: () => Date;
  /** Called after a new version has committed. */
  readonly onAppended: (record: VersionRecord) => void;
  /** Re-verifies stored versions before they are sent or built on. */
  readonly integrity: RecordIntegrity;
  /** Test/drill hook (--drill-publish-pause-ms): called before a publish or rollback commits and after it committed. */
  readonly pause?: (phase: PublishPhase) => void;
}

/** The audit row a created version commits with: who asked, and what they asked for. */
export interface AuditContext {
  readonly who: string;
  readonly action: string;
  readonly detail: string;
}

export interface AppendOutcome {
  readonly record: VersionRecord;
  readonly created: boolean;
  readonly warnings: readonly string[];
}

interface NewContent {
  readonly canonical: Buffer;
  readonly author: string;
  readonly reason: string;
  readonly rollbackOf: number;
  readonly expectVersion: number | undefined;
  readonly approver?: string;
  readonly audit: AuditContext;
  /** Runs inside the version's transaction once its number is known (e.g. marks a pending version approved). */
  readonly withinCommit?: (version: number) => void;
}

function requireReason(reason: string): string {
  const r = reason.trim();
  if (r === '') throw new RegistryError('INVALID_ARGUMENT', 'a reason is required', { field: 'reason' });
  return r;
}

/** The registry's write path: validate, check the expected version, sign, append; idempotent on identical content. */
export class RegistryLedger {
  readonly keyId: string;

  constructor(private readonly options: LedgerOptions) {
    this.keyId = options.signingKey === null ? '' : keyId(options.signingKey);
  }

  /** True on a relay. */
  get readOnly(): boolean {
    return this.options.signingKey === null;
  }

  /** Throws RELAY_READ_ONLY (FAILED_PRECONDITION) on a relay. */
  refuseOnRelay(): void {
    if (this.options.signingKey !== null) return;
    const upstream = this.options.upstream ?? 'its upstream';
    throw new RegistryError(
      'RELAY_READ_ONLY',
      `this registry is a read-only relay of ${upstream}: publish and roll back at the root registry`,
      { upstream },
    );
  }

  /**
   * A relay's write path: appends a version exactly as its upstream signed it (same number, hash and
   * signature; the caller has verified it). Idempotent for a version already held with the same hash;
   * refuses a gap or a different hash under a held number.
   */
  replicate(record: VersionRecord): boolean {
    const appended = this.options.store.append((latest) => {
      const latestVersion = latest?.version ?? 0;
      if (record.version <= latestVersion) {
        const held = this.options.store.get(record.version);
        if (held?.sha256 !== record.sha256)
          throw new Error(`version ${record.version} is held with sha256 ${held?.sha256 ?? 'none'}, the upstream sent ${record.sha256}`);
        return null;
      }
      if (record.version !== latestVersion + 1)
        throw new Error(`version ${record.version} does not follow the latest held version ${latestVersion}`);
      return record;
    });
    if (appended !== null) this.options.onAppended(appended);
    return appended !== null;
  }

  get store(): RegistryStore {
    return this.options.store;
  }

  publish(
    files: readonly UploadedFile[],
    reason: string,
    author: string,
    expectVersion: number | undefined,
    today: DayNumber,
    audit: AuditContext,
  ): AppendOutcome {
    const r = requireReason(reason);
    const compiled = compileUpload(files, today);
    const outcome = this.append({ canonical: compiled.canonical, author, reason: r, rollbackOf: 0, expectVersion, audit });
    return { ...outcome, warnings: compiled.warnings };
  }

  rollback(toVersion: number, reason: string, author: string, expectVersion: number | undefined, audit: AuditContext): AppendOutcome {
    const r = requireReason(reason);
    const target = this.get(toVersion);
    return {
      ...this.append({ canonical: target.document, author, reason: r, rollbackOf: target.version, expectVersion, audit }),
      warnings: [],
    };
  }

  /**
   * Appends an approved pending version: signed with its author and `approver`; `withinCommit` (marking
   * it approved) and the audit row commit in the same transaction as the version.
   */
  appendApproved(
    p: PendingRecord,
    approver: string,
    expectVersion: number | undefined,
    audit: AuditContext,
    withinCommit: (version: number) => void,
  ): AppendOutcome {
    const c = { canonical: p.document, author: p.author, reason: p.reason, rollbackOf: p.rollbackOf, expectVersion };
    return { ...this.append({ ...c, approver, audit, withinCommit }), warnings: [] };
  }

  /** A version (0 = latest), verified; VERSION_NOT_FOUND when it does not exist, VERSION_CORRUPT when altered at rest. */
  get(version: number): VersionRecord {
    const record = version === 0 ? this.options.store.latest() : this.options.store.get(version);
    if (record === null) {
      throw new RegistryError(
        'VERSION_NOT_FOUND',
        version === 0 ? 'the registry has no version yet' : `version ${version} does not exist`,
        { version: String(version) },
      );
    }
    return this.options.integrity.require(record);
  }

  /**
   * The latest version for a new Watch stream from `sinceVersion`, or null when there is none. It is
   * verified when it will be sent (the watcher is behind): VERSION_CORRUPT when altered at rest.
   */
  latestForWatch(sinceVersion: number): VersionRecord | null {
    const latest = this.options.store.latest();
    return latest === null || latest.version <= sinceVersion ? latest : this.options.integrity.require(latest);
  }

  /** Verifies every stored version (at start); each corrupt one is reported through the integrity check. */
  verifyAll(): readonly number[] {
    for (let v = this.options.store.count(); v > 0; v--) {
      const record = this.options.store.get(v);
      if (record !== null) this.options.integrity.isIntact(record);
    }
    return this.options.integrity.corruptVersions;
  }

  /**
   * Signs and appends a new version; its audit row (`c.audit`, "created version N") commits in the
   * same transaction, before any watcher is told. Identical content creates nothing (the caller audits).
   */
  private append(c: NewContent): Omit<AppendOutcome, 'warnings'> {
    const signingKey = this.options.signingKey;
    if (signingKey === null) throw new RegistryError('RELAY_READ_ONLY', 'a relay does not sign versions');
    const sha256 = sha256Hex(c.canonical);
    let existing: VersionRecord | null = null;
    this.options.pause?.('before-commit');
    const appended = this.options.store.append(
      (latest) => {
        // Identical content first: a retried publish whose first attempt committed gets its version back.
        // A latest version altered at rest is not "the same content": the publish creates a good new version.
        if (latest !== null && latest.sha256 === sha256 && this.options.integrity.isIntact(latest)) {
          existing = latest;
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
          publishedAt: this.options.now().toISOString(),
          rollbackOf: c.rollbackOf,
          ...(c.approver === undefined ? {} : { approver: c.approver }),
        };
        c.withinCommit?.(fields.version);
        return { ...fields, signature: signFields(fields, signingKey), keyId: this.keyId, document: c.canonical };
      },
      (record) => ({
        at: this.options.now().toISOString(),
        who: c.audit.who,
        action: c.audit.action,
        detail: `${c.audit.detail}; created version ${record.version}`,
        result: 'ok',
      }),
    );
    if (appended !== null) {
      this.options.pause?.('after-commit');
      this.options.onAppended(appended);
      return { record: appended, created: true };
    }
    return { record: existing as unknown as VersionRecord, created: false };
  }
}
