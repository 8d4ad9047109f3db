import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** server/dist/main.js (the program this code runs in). */
export const TPLUS_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export type LogLine = Readonly<Record<string, unknown>>;

/**
 * A real `tplus` child process (serve or registry) with its JSON log lines, for drills: start,
 * signal (SIGKILL, SIGSTOP, SIGCONT), stop, and wait for a log event.
 */
export class TplusChild {
  readonly logs: LogLine[] = [];
  readonly output: string[] = [];
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn(process.execPath, [TPLUS_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const onLine = (line: string): void => {
      this.output.push(line);
      if (this.output.length > 2_000) this.output.shift();
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
      for (const w of this.waiters) w();
    };
    createInterface({ input: this.child.stderr as NodeJS.ReadableStream }).on('line', onLine);
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', onLine);
    this.exited = new Promise<void>((done) =>
      this.child.once('close', () => {
        done();
        for (const w of this.waiters) w();
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** The first log line (past or future) with `event` matching `where`; rejects on exit or timeout. */
  waitFor(event: string, where: (line: LogLine) => boolean = () => true, timeoutMs = 20_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const look = (): void => {
        for (; seen < this.logs.length; seen++) {
          const line = this.logs[seen] as LogLine;
          if (line['event'] === event && where(line)) {
            cleanup();
            resolve(line);
            return;
          }
        }
        if (!this.running) {
          cleanup();
          reject(new Error(`${this.name} exited before logging ${event}:\n${this.output.slice(-20).join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not log ${event} within ${timeoutMs} ms:\n${this.output.slice(-20).join('\n')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(look);
      };
      this.waiters.add(look);
      look();
    });
  }

  /** Sends `sig` (SIGCONT first, in case it is stopped) and waits for the exit; SIGKILL after `graceMs`. */
  async stop(sig: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(sig);
    if (sig !== 'SIGKILL') this.child.kill('SIGCONT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
