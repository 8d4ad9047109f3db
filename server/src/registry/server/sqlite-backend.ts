import type { AuditEntry, VersionRecord } from '../index.js';
import type { NewVersion, RegistryBackend } from './registry-backend.js';
import { RegistryStore } from './registry-store.js';

/** The default backend: one registry over one SQLite file (registry-store.ts), behind the async interface. */
export class SqliteBackend implements RegistryBackend {
  private readonly listeners = new Set<(record: VersionRecord) => void>();

  private constructor(readonly store: RegistryStore) {}

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
    const appended = this.store.append(make);
    if (appended !== null) for (const l of [...this.listeners]) l(appended);
    return appended;
  }

  async audit(entry: AuditEntry): Promise<void> {
    this.store.audit(entry);
  }

  async auditRows(): Promise<AuditEntry[]> {
    return this.store.auditRows();
  }

  onVersion(listener: (record: VersionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
