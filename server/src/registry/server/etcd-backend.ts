import { randomBytes } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import type { AuditEntry, VersionRecord } from '../index.js';
import { AppendRaceLost, type AuditRowRecord, type NewVersion, type RegistryBackend } from './registry-backend.js';
import { EtcdPending } from './etcd-pending.js';
import type { PendingOutcome, PendingRecord } from './pending-store.js';
import { RegistryError } from './registry-error.js';
import { etcdClient, storeUnavailable } from './etcd-client.js';
import { etcdKeys, type EtcdKeys } from './etcd-keys.js';
import { decodeVersion, encodeVersion, INLINE_DOCUMENT_MAX_BYTES } from './etcd-record.js';
import type { EtcdStoreConfig } from './registry-config.js';
import { VersionFeed } from './version-feed.js';
import { EtcdVersionWatch, type EtcdProblem } from './etcd-version-watch.js';

/**
 * Versions and audit in etcd, shared by any number of equal registry replicas. Creating version N is
 * one transaction: if `latest` is N-1 (and `versions/N` does not exist), put version N, its audit row
 * and latest = N together; otherwise nothing is written and the caller learns the winner's version.
 * Every replica learns every version from an etcd watch that resumes from a revision.
 */
export class EtcdBackend implements RegistryBackend {
  private readonly keys: EtcdKeys;
  private readonly replica = randomBytes(4).toString('hex');
  private seq = 0;
  private known = 0;
  private watch: EtcdVersionWatch | null = null;
  private readonly feed: VersionFeed;
  private readonly pending: EtcdPending;

  private constructor(
    private readonly config: EtcdStoreConfig,
    private readonly client: Etcd3,
    private readonly inlineMax: number,
  ) {
    this.keys = etcdKeys(config.prefix);
    this.feed = new VersionFeed((v) => this.get(v));
    this.pending = new EtcdPending({
      client,
      keys: this.keys,
      inlineMax,
      run: (doing, op) => this.run(doing, op),
      chunk: (sha) => this.chunk(sha),
      callAuditKey: (at) => this.keys.callAudit(at, this.replica, ++this.seq),
    });
  }

  /**
   * Connects, reads the latest version and starts watching for new ones. `problem` hears what goes
   * wrong in the background (for the log); `inlineMax` is for tests of chunking.
   */
  static async open(
    config: EtcdStoreConfig,
    problem: EtcdProblem = () => undefined,
    inlineMax = INLINE_DOCUMENT_MAX_BYTES,
  ): Promise<EtcdBackend> {
    const backend = new EtcdBackend(config, etcdClient(config), inlineMax);
    try {
      backend.watch = await EtcdVersionWatch.start({
        client: backend.client,
        keys: backend.keys,
        feed: backend.feed,
        decode: (key, value) => decodeVersion(key, value, (sha) => backend.chunk(sha)),
        get: (v) => backend.get(v),
        seen: (v) => {
          if (v > backend.known) backend.known = v;
        },
        problem,
      });
      return backend;
    } catch (err) {
      backend.client.close();
      throw storeUnavailable(config, 'starting', err);
    }
  }

  get location(): string {
    return `etcd:${this.config.endpoints.join(',')}${this.keys.prefix}`;
  }

  latestVersion(): number {
    return this.known;
  }

  async latest(): Promise<VersionRecord | null> {
    const res = await this.run('reading the latest version', () =>
      this.client.getAll().prefix(this.keys.versions).sort('Key', 'Descend').limit(1).exec(),
    );
    const kv = res.kvs[0];
    if (kv === undefined) return null;
    return this.noteKnown(await decodeVersion(kv.key.toString(), kv.value, (sha) => this.chunk(sha)));
  }

  async get(version: number): Promise<VersionRecord | null> {
    const key = this.keys.version(version);
    const value = await this.run(`reading version ${version}`, () => this.client.get(key).buffer());
    return value === null ? null : this.noteKnown(await decodeVersion(key, value, (sha) => this.chunk(sha)));
  }

  async list(): Promise<VersionRecord[]> {
    const res = await this.run('listing versions', () => this.client.getAll().prefix(this.keys.versions).sort('Key', 'Descend').exec());
    return Promise.all(res.kvs.map((kv) => decodeVersion(kv.key.toString(), kv.value, (sha) => this.chunk(sha))));
  }

  async append(make: (latest: VersionRecord | null) => NewVersion | null): Promise<VersionRecord | null> {
    const latest = await this.latest();
    const made = make(latest);
    if (made === null) return null;
    const { record, audit } = made;
    const encoded = encodeVersion(record, this.inlineMax);
    for (const c of encoded.chunks)
      await this.run(`writing chunk ${c.sha256}`, () => this.client.put(this.keys.chunk(c.sha256)).value(c.bytes).exec());
    const n = record.version;
    // An approved pending version is deleted in the same transaction, which also requires it to be there.
    const approved = made.approves === undefined ? null : this.keys.pendingEntry(made.approves.id);
    const compare = this.client
      .if(this.keys.version(n), 'Create', '==', 0)
      .and(this.keys.latest, n === 1 ? 'Create' : 'Value', '==', n === 1 ? 0 : String(n - 1));
    const txn = (approved === null ? compare : compare.and(approved, 'Version', '>', 0)).then(
      this.client.put(this.keys.version(n)).value(encoded.value),
      this.client.put(this.keys.versionAudit(n)).value(JSON.stringify(audit)),
      this.client.put(this.keys.latest).value(String(n)),
      ...(approved === null ? [] : [this.client.delete().key(approved)]),
    );
    const res = await this.run(
      `creating version ${n} (the version was not confirmed: publishing the same content again returns it if it was created)`,
      () => txn.commit(),
    );
    if (!res.succeeded) {
      // An earlier attempt of this same transaction may have committed and lost its reply (an attempt cut
      // off at its share of the deadline, or a member failing after the commit): version n then holds
      // exactly these bytes (signed over version, content, author, reason and time: only this publish
      // writes them), and it is this call's creation.
      const held = await this.run(`reading version ${n}`, () => this.client.get(this.keys.version(n)).string());
      if (held === encoded.value) {
        this.feed.offer(this.noteKnown(record));
        return record;
      }
      if (approved !== null && made.approves && (await this.pending.get(made.approves.id)) === null)
        throw new RegistryError('VERSION_NOT_FOUND', `pending version ${made.approves.id} was resolved meanwhile`, {
          pending_id: String(made.approves.id),
        });
      const winner = await this.run('reading the latest version', () => this.client.get(this.keys.latest).string());
      throw new AppendRaceLost(Number(winner ?? n));
    }
    this.feed.offer(this.noteKnown(record));
    return record;
  }

  async audit(entry: AuditEntry): Promise<void> {
    const key = this.keys.callAudit(entry.at, this.replica, ++this.seq);
    await this.run('writing an audit row', () => this.client.put(key).value(JSON.stringify(entry)).exec());
  }

  /** Version audit rows and call audit rows, oldest first (by time, then key). */
  async auditRows(): Promise<AuditEntry[]> {
    const read = async (prefix: string): Promise<AuditEntry[]> =>
      Object.values(await this.run('reading the audit', () => this.client.getAll().prefix(prefix).strings())).map(
        (v) => JSON.parse(v) as AuditEntry,
      );
    const rows = [...(await read(this.keys.versionAudits)), ...(await read(this.keys.callAudits))];
    return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async auditPage(afterId: number, limit: number): Promise<AuditRowRecord[]> {
    // etcd rows have no id: the position in the trail (1 = oldest) is the id ListAudit pages by.
    return (await this.auditRows()).map((r, i) => ({ ...r, id: i + 1 })).slice(afterId, afterId + limit);
  }

  addPending(p: Omit<PendingRecord, 'id'>, auditOf: (id: number) => AuditEntry): Promise<PendingRecord> {
    return this.pending.add(p, auditOf);
  }

  openPending(): Promise<PendingRecord[]> {
    return this.pending.open();
  }

  getPending(id: number): Promise<PendingRecord | null> {
    return this.pending.get(id);
  }

  closePending(id: number, outcome: PendingOutcome, _by: string, _at: string, audit: AuditEntry | null): Promise<boolean> {
    return this.pending.close(id, outcome, audit);
  }

  onVersion(listener: (record: VersionRecord) => void): () => void {
    return this.feed.listen(listener);
  }

  async close(): Promise<void> {
    await this.watch?.close();
    this.client.close();
  }

  private async chunk(sha256: string): Promise<Buffer | null> {
    return this.run(`reading chunk ${sha256}`, () => this.client.get(this.keys.chunk(sha256)).buffer());
  }

  private noteKnown(r: VersionRecord): VersionRecord {
    if (r.version > this.known) this.known = r.version;
    return r;
  }

  private async run<T>(doing: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw storeUnavailable(this.config, doing, err);
    }
  }
}
