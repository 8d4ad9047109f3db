import type { Etcd3, Watcher } from 'etcd3';
import type { VersionRecord } from '../index.js';
import type { EtcdKeys } from './etcd-keys.js';
import type { VersionFeed } from './version-feed.js';

/** A background problem of the etcd backend (watch cancelled, a version that could not be read): an event name and fields for the log. */
export type EtcdProblem = (event: string, fields: Record<string, unknown>) => void;

export interface EtcdVersionWatchDeps {
  readonly client: Etcd3;
  readonly keys: EtcdKeys;
  readonly feed: VersionFeed;
  /** A version record as stored (its chunks read). */
  readonly decode: (key: string, value: Buffer) => Promise<VersionRecord>;
  readonly get: (version: number) => Promise<VersionRecord | null>;
  /** Every version number seen (the backend's `latestVersion`). */
  readonly seen: (version: number) => void;
  readonly problem: EtcdProblem;
}

/** Re-reads of a version that could not be read when its watch event came: once a second, this many times. */
const READ_RETRIES = 60;

/**
 * How every replica learns every version: an etcd watch of `versions/` that starts right after one read
 * of the latest version (so nothing falls between). etcd3 resumes it after a disconnection from the last
 * revision seen; when etcd cancels it instead (e.g. that revision was compacted) it is started again from
 * the latest version, and the feed reads and delivers, in order, the versions missed meanwhile.
 */
export class EtcdVersionWatch {
  private watcher: Watcher | null = null;
  private closed = false;

  private constructor(private readonly d: EtcdVersionWatchDeps) {}

  static async start(deps: EtcdVersionWatchDeps): Promise<EtcdVersionWatch> {
    const w = new EtcdVersionWatch(deps);
    await w.open(true);
    return w;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.cancel().catch(() => undefined);
  }

  private async open(first: boolean): Promise<void> {
    const { client, keys } = this.d;
    const head = await client.getAll().prefix(keys.versions).sort('Key', 'Descend').limit(1).exec();
    const kv = head.kvs[0];
    const top = kv === undefined ? 0 : Number(kv.key.toString().slice(keys.versions.length));
    this.d.seen(top);
    if (first) this.d.feed.start(top);
    const watcher = await client
      .watch()
      .prefix(keys.versions)
      .startRevision(String(BigInt(head.header.revision) + 1n))
      .create();
    watcher.on('put', (put) => this.deliver(Number(put.key.toString().slice(keys.versions.length)), put.key, put.value));
    watcher.on('error', (err: Error) => {
      this.d.problem('etcd_watch_cancelled', { message: err.message, note: 'watching again from the latest version' });
      void this.reopen();
    });
    this.watcher = watcher;
    if (kv !== undefined) this.deliver(top, kv.key, kv.value);
  }

  private async reopen(): Promise<void> {
    await this.watcher?.cancel().catch(() => undefined);
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        return await this.open(false);
      } catch (err) {
        if (attempt === 1) this.d.problem('etcd_watch_failed', { message: err instanceof Error ? err.message : String(err) });
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * attempt)));
      }
    }
  }

  /** Decodes a version seen in etcd and hands it to the feed; a failed read is retried (bounded). */
  private deliver(version: number, key: Buffer, value: Buffer, attempt = 0): void {
    const read = attempt === 0 ? this.d.decode(key.toString(), value) : this.d.get(version);
    read.then(
      (r) => {
        if (r === null) return;
        this.d.seen(r.version);
        this.d.feed.offer(r);
      },
      (err: unknown) => {
        if (attempt === 0)
          this.d.problem('etcd_version_read_failed', { version, message: err instanceof Error ? err.message : String(err) });
        if (attempt < READ_RETRIES && !this.closed) setTimeout(() => this.deliver(version, key, value, attempt + 1), 1_000).unref();
      },
    );
  }
}
