import type { AuditEntry, VersionRecord } from '../index.js';
import type { AuditRowRecord, NewVersion, RegistryBackend } from './registry-backend.js';
import { PendingStore, type PendingOutcome, type PendingRecord } from './pending-store.js';
import { RegistryError } from './registry-error.js';
import { RegistryStore } from './registry-store.js';

/** The default backend: one registry over one SQLite file (registry-store.ts), behind the async interface. */
export class SqliteBackend implements RegistryBackend {
  private readonly listeners = new Set<(record: VersionRecord) => void>();
  private readonly pending: PendingStore;

  private constructor(readonly store: RegistryStore) {
    this.pending = new PendingStore(store.sqlite);
  }

  static open(file: string): SqliteBackend {
    return new SqliteBackend(RegistryStore.open(file));
  }

  get location(): string {
    return this.store.file;
  }

  latestVersion(): number {
    return this.store.count();
  }

  // The methods below are `async` only for the interface: each runs to completion synchronously
  // (better-sqlite3), so a caller that does not await still sees its effect at once.
  async latest(): Promise<VersionRecord | null> {
    return this.store.latest();
  }

  async get(version: number): Promise<VersionRecord | null> {
    return this.store.get(version);
  }

  async list(): Promise<VersionRecord[]> {
    return this.store.list();
  }

  async append(make: (latest: VersionRecord | null) => NewVersion | null): Promise<VersionRecord | null> {
    return this.appendNow(make);
  }

  /** `append`, synchronously (a relay's follower installs each version before it reads the next). */
  appendNow(make: (latest: VersionRecord | null) => NewVersion | null): VersionRecord | null {
    const appended = this.store.append((latest) => {
      const made = make(latest);
      // An approved pending version is closed inside the version's transaction: both or neither.
      const a = made?.approves;
      if (made && a && !this.pending.resolve(a.id, 'approved', a.by, a.at, made.record.version))
        throw new RegistryError('VERSION_NOT_FOUND', `pending version ${a.id} was resolved meanwhile`, { pending_id: String(a.id) });
      return made;
    });
    if (appended !== null) for (const l of [...this.listeners]) l(appended);
    return appended;
  }

  async audit(entry: AuditEntry): Promise<void> {
    this.store.audit(entry);
  }

  async auditRows(): Promise<AuditEntry[]> {
    return this.store.auditRows();
  }

  async auditPage(afterId: number, limit: number): Promise<AuditRowRecord[]> {
    return this.store.auditPage(afterId, limit);
  }

  async addPending(p: Omit<PendingRecord, 'id'>, auditOf: (id: number) => AuditEntry): Promise<PendingRecord> {
    return this.pending.transaction(() => {
      const added = this.pending.add(p);
      this.store.audit(auditOf(added.id));
      return added;
    });
  }

  async openPending(): Promise<PendingRecord[]> {
    return this.pending.open();
  }

  async getPending(id: number): Promise<PendingRecord | null> {
    return this.pending.get(id);
  }

  async closePending(
    id: number,
    outcome: PendingOutcome,
    by: string,
    at: string,
    audit: AuditEntry | null,
    version?: number,
  ): Promise<boolean> {
    return this.pending.transaction(() => {
      if (!this.pending.resolve(id, outcome, by, at, version ?? null)) return false;
      if (audit !== null) this.store.audit(audit);
      return true;
    });
  }

  onVersion(listener: (record: VersionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
