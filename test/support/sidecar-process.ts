import { reap, spawnSidecar, type SidecarProcess as Spawned } from '../integration/sidecar-process.js';

/** A restartable sidecar child process on a Unix socket in `dataDir` (no TCP, no metrics listener). */
export class SidecarProcess {
  private current: Spawned | null = null;

  constructor(
    readonly dataDir: string,
    readonly socketPath: string,
  ) {}

  get address(): string {
    return `unix://${this.socketPath}`;
  }

  /** Starts the process and resolves once it logs `serving`. */
  async start(): Promise<void> {
    this.current = spawnSidecar(['--data-dir', this.dataDir, '--socket', this.socketPath, '--listen', 'off', '--metrics-listen', 'off']);
    await this.current.waitFor('serving');
  }

  signal(sig: NodeJS.Signals): void {
    this.current?.child.kill(sig);
  }

  /** Sends `sig` and waits for the exit (bounded: SIGKILL after `timeoutMs`). */
  async stop(sig: NodeJS.Signals = 'SIGKILL', timeoutMs = 15_000): Promise<void> {
    const p = this.current;
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill(sig);
    const timer = setTimeout(() => reap(p), timeoutMs);
    await p.exited;
    clearTimeout(timer);
  }
}
