/** Runs the built sidecar (`tplus serve`, server/dist/main.js) as a real child process. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TPLUS_MAIN = resolve(ROOT, 'server/dist/main.js');

/** Compiles server/src into server/dist (incremental), so the child runs the code under test. */
export function buildServer(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
}

export type LogLine = Record<string, unknown>;

export interface SidecarProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: string[];
  /** Resolves with the first log line (past or future) with this event matching `where`. */
  waitFor(event: string, where?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How to start the program: by default `node server/dist/main.js serve ARGS`; a launcher (e.g. bin/tplus) instead. */
export interface SidecarLaunch {
  readonly file: string;
  /** Put before `args`. */
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export function spawnSidecar(args: readonly string[], launch?: SidecarLaunch): SidecarProcess {
  const [file, argv] = launch ? [launch.file, [...launch.args, ...args]] : [process.execPath, [TPLUS_MAIN, 'serve', ...args]];
  const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(launch?.env ? { env: launch.env } : {}) });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    stderr.push(line);
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      return;
    }
    for (const w of waiters) w();
  });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('close', (code, signal) => {
      done({ code, signal });
      for (const w of waiters) w();
    }),
  );
  const waitFor = (event: string, where: (line: LogLine) => boolean = () => true, timeoutMs = 20_000): Promise<LogLine> =>
    new Promise((resolveLine, reject) => {
      const look = (): boolean => {
        const hit = logs.find((l) => l['event'] === event && where(l));
        if (!hit) return false;
        cleanup();
        resolveLine(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${event} log within ${timeoutMs} ms; stderr:\n${stderr.join('\n')}`));
      }, timeoutMs);
      const listener = (): void => {
        if (!look() && child.exitCode !== null) {
          cleanup();
          reject(new Error(`sidecar exited (${child.exitCode}) before ${event}; stderr:\n${stderr.join('\n')}`));
        }
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(listener);
      };
      waiters.add(listener);
      if (!look() && child.exitCode !== null) listener();
    });
  return { child, logs, stderr, waitFor, exited };
}

/** Kills the child if a test left it running (never a broad kill: only this pid). */
export function reap(p: SidecarProcess | null): void {
  if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}
