import type { KeyObject } from 'node:crypto';
import type { DayNumber } from '@tplus/core';
import { compileUpload, type CompiledUpload, type UploadedFile } from './publish-pack.js';
import type { RecordIntegrity } from './record-integrity.js';
import { RegistryError } from './registry-error.js';
import type { PendingRecord } from './pending-store.js';
import type { PublishPhase } from './publish-pause.js';
import { AppendRaceLost, type RegistryBackend } from './registry-backend.js';
import { keyId, sha256Hex } from '@tplus/core';
import { nextVersion, type AuditContext, type NewContent } from './next-version.js';
import type { VersionRecord } from '../index.js';

export interface LedgerOptions {
  readonly store: RegistryBackend;
  /** Null on a relay: it only replicates its upstream's signed versions and refuses local writes. */
  readonly signingKey: KeyObject | null;
  /** On a relay, the upstream address (named when a local write is refused). */
  readonly upstream?: string;
  /** RFC 3339 UTC "now". */
  readonly now: () => Date;
  /** Re-verifies stored versions before they are sent or built on. */
  readonly integrity: RecordIntegrity;
  /** Where uploads are compiled (clearUploadScratch). */
  readonly scratchDir: string;
  /** Test/drill hook (--drill-publish-pause-ms): called before a publish or rollback commits and after it committed. */
  readonly pause?: (phase: PublishPhase) => void;
  /** Versions that are not live (open or aborted rollout candidates): never "the latest" for Watch or GetVersion(0). */
  readonly hidden?: (version: number) => boolean;
  /** Called before any append; throws to refuse it (e.g. while a candidate is open). */
  readonly beforeAppend?: () => void;
}

export type { AuditContext } from './next-version.js';

export interface AppendOutcome {
  readonly record: VersionRecord;
  readonly created: boolean;
  readonly warnings: readonly string[];
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

  get store(): RegistryBackend {
    return this.options.store;
  }

  async publish(
    files: readonly UploadedFile[],
    reason: string,
    author: string,
    expectVersion: number | undefined,
    today: DayNumber,
    audit: AuditContext,
  ): Promise<AppendOutcome> {
    const r = requireReason(reason);
    const compiled = this.compile(files, today);
    const outcome = await this.append({ canonical: compiled.canonical, author, reason: r, rollbackOf: 0, expectVersion, audit });
    return { ...outcome, warnings: compiled.warnings };
  }

  /** Appends a version the same way as publish; `stage` marks it (in the same transaction) as not live. */
  async publishStaged(
    files: readonly UploadedFile[],
    upload: {
      readonly reason: string;
      readonly author: string;
      readonly expectVersion: number | undefined;
      readonly today: DayNumber;
    },
    audit: AuditContext,
    stage: (version: number) => void,
  ): Promise<AppendOutcome> {
    const r = requireReason(upload.reason);
    const compiled = this.compile(files, upload.today);
    const outcome = await this.append({
      canonical: compiled.canonical,
      author: upload.author,
      reason: r,
      rollbackOf: 0,
      expectVersion: upload.expectVersion,
      audit,
      stage,
    });
    return { ...outcome, warnings: compiled.warnings };
  }

  /**
   * The live version's number (0 = none): the latest that is not hidden (an open or aborted candidate).
   * Versions are numbered without gaps, so no record is read: Watch heartbeats call this.
   */
  liveVersion(): number {
    let v = this.options.store.latestVersion();
    while (v > 0 && this.options.hidden?.(v) === true) v--;
    return v;
  }

  /** The live version (see liveVersion), or null when there is none. */
  async live(): Promise<VersionRecord | null> {
    const v = this.liveVersion();
    return v === 0 ? null : this.options.store.get(v);
  }

  async rollback(
    toVersion: number,
    reason: string,
    author: string,
    expectVersion: number | undefined,
    audit: AuditContext,
  ): Promise<AppendOutcome> {
    const r = requireReason(reason);
    const target = await this.get(toVersion);
    const c = { canonical: target.document, author, reason: r, rollbackOf: target.version, expectVersion, audit };
    return { ...(await this.append(c)), warnings: [] };
  }

  /**
   * Appends an approved pending version, signed with its author and `approver`; the backend closes the
   * pending version and writes the audit row in the same transaction as the version.
   */
  async appendApproved(p: PendingRecord, approver: string, expectVersion: number | undefined, audit: AuditContext): Promise<AppendOutcome> {
    const c = { canonical: p.document, author: p.author, reason: p.reason, rollbackOf: p.rollbackOf, expectVersion, approver, audit };
    const approves = { id: p.id, by: approver, at: this.options.now().toISOString() };
    return { ...(await this.append({ ...c, approves })), warnings: [] };
  }

  /** Compiles an upload (in the registry's scratch directory) as a publish does; INVALID_PACK listing every problem. */
  compile(files: readonly UploadedFile[], today: DayNumber): CompiledUpload {
    return compileUpload(files, today, this.options.scratchDir);
  }

  /** A version (0 = latest), verified; VERSION_NOT_FOUND when it does not exist, VERSION_CORRUPT when altered at rest. */
  async get(version: number): Promise<VersionRecord> {
    const record = version === 0 ? await this.live() : await this.options.store.get(version);
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
  async latestForWatch(sinceVersion: number): Promise<VersionRecord | null> {
    const latest = await this.live();
    return latest === null || latest.version <= sinceVersion ? latest : this.options.integrity.require(latest);
  }

  /** Verifies every stored version (at start); each corrupt one is reported through the integrity check. */
  async verifyAll(): Promise<readonly number[]> {
    for (let v = this.options.store.latestVersion(); v > 0; v--) {
      const record = await this.options.store.get(v);
      if (record !== null) this.options.integrity.isIntact(record);
    }
    return this.options.integrity.corruptVersions;
  }

  /**
   * Signs and appends a new version; its audit row (`c.audit`, "created version N") commits in the
   * same transaction, before any watcher is told. Identical content creates nothing (the caller audits).
   */
  private async append(c: NewContent): Promise<Omit<AppendOutcome, 'warnings'>> {
    const signingKey = this.options.signingKey;
    if (signingKey === null) throw new RegistryError('RELAY_READ_ONLY', 'a relay does not sign versions');
    const sha256 = sha256Hex(c.canonical);
    let existing: VersionRecord | null = null;
    this.options.beforeAppend?.();
    this.options.pause?.('before-commit');
    let appended: VersionRecord | null;
    try {
      const signer = { key: signingKey, keyId: this.keyId, now: this.options.now, integrity: this.options.integrity };
      const hidden = this.options.hidden ?? ((): boolean => false);
      appended = await this.options.store.append((latest) => nextVersion(latest, c, sha256, signer, (held) => (existing = held), hidden));
    } catch (err) {
      if (!(err instanceof AppendRaceLost)) throw err;
      // Another replica created the next version first: the same content is this publish's answer
      // (a retry whose first attempt won elsewhere); anything else is a conflict naming the winner.
      const winner = await this.options.store.get(err.winner);
      if (winner !== null && winner.sha256 === sha256 && this.options.integrity.isIntact(winner)) return { record: winner, created: false };
      throw new RegistryError(
        'VERSION_CONFLICT',
        `another registry replica created version ${err.winner} first (sha256 ${winner?.sha256 ?? 'unknown'}); check it and publish again`,
        { latest: String(err.winner), winner_sha256: winner?.sha256 ?? '' },
      );
    }
    if (appended !== null) {
      this.options.pause?.('after-commit');
      return { record: appended, created: true };
    }
    return { record: existing as unknown as VersionRecord, created: false };
  }
}
