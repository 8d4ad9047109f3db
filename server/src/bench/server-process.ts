import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';

/** A server under test in its own process, so its CPU is measured apart from the load generator's. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly log: () => string,
  ) {}

  /** `launcher`: an executable to run instead of node (e.g. bin/tplus), with node's own directory first on PATH. */
  static async start(
    args: readonly string[],
    probe: { socket?: string; port?: number },
    timeoutMs = 20_000,
    launcher?: string,
  ): Promise<ServerProcess> {
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };
    const child = launcher
      ? spawn(launcher, args, { stdio: ['ignore', 'ignore', 'pipe'], env })
      : spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}: ${log}`);
      const ok = await new Promise<boolean>((done) => {
        const s = probe.socket ? connect(probe.socket) : connect(probe.port ?? 0, '127.0.0.1');
        s.once('connect', () => (s.destroy(), done(true)));
        s.once('error', () => done(false));
      });
      if (ok) return new ServerProcess(child, () => log);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`${args.join(' ')} did not start: ${log}`);
  }

  /** Resolves true once the process has written `text` to stderr, false after `timeoutMs`. */
  async waitForLog(text: string, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && this.child.exitCode === null) {
      if (this.log().includes(text)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.log().includes(text);
  }

  /** User + system CPU seconds of the process so far (Linux /proc). */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  rssBytes(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  }

  /**
   * Where the resident memory is (Linux /proc/PID/smaps_rollup): anonymous pages (heaps, malloc arenas,
   * stacks) and the rest (mapped files: the node binary, shared libraries), in bytes.
   */
  rssSplit(): { readonly anonymousBytes: number; readonly fileBytes: number } {
    const rollup = readFileSync(`/proc/${this.child.pid}/smaps_rollup`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
    const anonymousBytes = kb('Anonymous');
    return { anonymousBytes, fileBytes: kb('Rss') - anonymousBytes };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for a child server to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}
