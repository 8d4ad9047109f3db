import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root, from this file (examples/trade-capture/{src,dist}/). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const SIDECAR_MAIN = resolve(REPO_ROOT, 'server/dist/main.js');

/**
 * A tplus sidecar as a child process (`node server/dist/main.js serve`) on a Unix socket in a temp
 * directory, with no TCP and no metrics listener. Seeds itself from the bundled rule pack. It can be
 * killed and started again on the same data directory (an outage drill).
 */
export class EmbeddedSidecar {
  readonly dir: string;
  readonly socketPath: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  readonly stderr: string[] = [];

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'tplus-trade-capture-'));
    this.socketPath = join(this.dir, 'tplus.sock');
  }

  get address(): string {
    return `unix://${this.socketPath}`;
  }

  /** Starts the child and resolves once it logs `serving` (rejects after `timeoutMs` or on exit). */
  start(timeoutMs = 20_000): Promise<void> {
    const args = [
      SIDECAR_MAIN,
      'serve',
      '--data-dir',
      join(this.dir, 'data'),
      '--socket',
      this.socketPath,
      '--listen',
      'off',
      '--metrics-listen',
      'off',
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise((done) => child.once('close', () => done()));
    return new Promise((ready, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`sidecar not serving within ${timeoutMs} ms:\n${this.stderr.slice(-20).join('\n')}`));
      }, timeoutMs);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`sidecar exited (${code ?? signal}) before serving:\n${this.stderr.slice(-20).join('\n')}`));
      });
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
        this.stderr.push(line);
        if (this.stderr.length > 500) this.stderr.shift();
        if (line.includes('"event":"serving"')) {
          clearTimeout(timer);
          ready();
        }
      });
    });
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops the child and removes the temp directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
