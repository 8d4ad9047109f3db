/** Runs the built `tplus` (server/dist/main.js) in any mode as a real child process, with its JSON log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { ROOT, TPLUS_MAIN, type LogLine } from '../integration/sidecar-process.js';

export interface TplusProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly output: string[];
  waitFor(event: string, where?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<number | null>;
  /** Sends `signal` and waits for the exit (SIGKILL after 10 s). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnTplus(args: readonly string[]): TplusProcess {
  const child = spawn(process.execPath, [TPLUS_MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const output: string[] = [];
  const waiters = new Set<() => void>();
  const onLine = (line: string): void => {
    output.push(line);
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      // plain output (e.g. usage text)
    }
    for (const w of waiters) w();
  };
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', onLine);
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
  const exited = new Promise<number | null>((done) =>
    child.once('close', (code) => {
      done(code);
      for (const w of waiters) w();
    }),
  );
  const waitFor = (event: string, where: (line: LogLine) => boolean = () => true, timeoutMs = 20_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const look = (): void => {
        const hit = logs.find((l) => l['event'] === event && where(l));
        if (hit) {
          cleanup();
          resolve(hit);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          reject(new Error(`process exited before ${event}:\n${output.join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${event} within ${timeoutMs} ms:\n${output.join('\n')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(look);
      };
      waiters.add(look);
      look();
    });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, logs, output, waitFor, exited, stop };
}

/** Runs one CLI command to completion. */
export async function runTplus(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const p = spawnTplus(args);
  const code = await p.exited;
  return { code, output: p.output.join('\n') };
}

/** Runs one CLI command that must succeed (exit 0, its output shown when it does not) and returns its output. */
export async function tplusOk(args: readonly string[]): Promise<string> {
  const r = await runTplus(args);
  expect(r.code, r.output).toBe(0);
  return r.output;
}
