import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The ledger file as the writer appends to it: opened with 'a' when there is something to write, let go
 * when idle (so a file replaced meanwhile is opened afresh), and cut back to its last durable size
 * before appending, so bytes of a write that failed half-way are never duplicated or glued to.
 */
export class AppendFile {
  private handle: FileHandle | null = null;
  private dirSynced = false;

  constructor(
    private readonly path: string,
    /** Bytes known durable: the file's size after open-time repair plus every synced batch. */
    private durableSize: number,
  ) {}

  /** Appends `buf` and fdatasyncs it; throws the file system error as it is. */
  async appendDurably(buf: Buffer): Promise<void> {
    const h = await this.open();
    for (let off = 0; off < buf.length;) off += (await h.write(buf, off, buf.length - off)).bytesWritten;
    await h.datasync();
    this.durableSize += buf.length;
  }

  async release(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.close().catch(() => undefined);
  }

  private async open(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    const h = await open(this.path, 'a');
    this.handle = h;
    const { size } = await h.stat();
    if (size > this.durableSize) {
      await h.truncate(this.durableSize);
      await h.datasync();
    }
    if (!this.dirSynced) await this.syncDirectory();
    return h;
  }

  /** Makes a newly created file's directory entry durable too (best effort: not every platform can). */
  private async syncDirectory(): Promise<void> {
    this.dirSynced = true;
    const d = await open(dirname(this.path), 'r').catch(() => null);
    await d?.sync().catch(() => undefined);
    await d?.close().catch(() => undefined);
  }
}
