import type { VersionRecord } from '../index.js';

/**
 * Hands each committed version to the listeners once and in order, whichever way it arrives first
 * (this process's own commit or an etcd watch event). A version that arrives ahead of a missing one
 * waits while the missing ones are read with `get` (a watch event can overtake a slower read).
 */
export class VersionFeed {
  private readonly listeners = new Set<(record: VersionRecord) => void>();
  private delivered = 0;
  private readonly waiting = new Map<number, VersionRecord>();
  private filling = false;

  constructor(private readonly get: (version: number) => Promise<VersionRecord | null>) {}

  /** Versions up to `version` exist already: only later ones are delivered. */
  start(version: number): void {
    this.delivered = version;
  }

  listen(listener: (record: VersionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  offer(record: VersionRecord): void {
    if (record.version <= this.delivered) return;
    this.waiting.set(record.version, record);
    this.drain();
    if (this.waiting.size > 0 && !this.filling) void this.fill();
  }

  private drain(): void {
    for (let next = this.waiting.get(this.delivered + 1); next !== undefined; next = this.waiting.get(this.delivered + 1)) {
      this.waiting.delete(next.version);
      this.delivered = next.version;
      for (const l of [...this.listeners]) l(next);
    }
    for (const v of [...this.waiting.keys()]) if (v <= this.delivered) this.waiting.delete(v);
  }

  /** Reads the versions missing before the waiting ones (bounded: at most what is waiting says exists). */
  private async fill(): Promise<void> {
    this.filling = true;
    try {
      while (this.waiting.size > 0) {
        const record = await this.get(this.delivered + 1);
        if (record === null) return;
        this.offer(record);
      }
    } catch {
      // etcd unreachable: the next offered version tries again
    } finally {
      this.filling = false;
    }
  }
}
