import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reap, spawnSidecar, type SidecarProcess } from '../integration/sidecar-process.js';

/** A real `tplus serve` child: Unix socket in a temp dir, no TCP, /metrics on a free loopback port. */
export interface LiveSidecar {
  readonly process: SidecarProcess;
  /** unix:///…/tplus.sock, for the SDK. */
  readonly address: string;
  /** http://127.0.0.1:PORT/metrics */
  readonly metricsUrl: string;
  /** 127.0.0.1:PORT, as a Prometheus target. */
  readonly metricsTarget: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** `extraArgs` are added to `tplus serve` (e.g. `--allow-drills`). */
export async function startLiveSidecar(extraArgs: readonly string[] = []): Promise<LiveSidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-live-'));
  const socket = join(dir, 'tplus.sock');
  const p = spawnSidecar([
    '--data-dir',
    join(dir, 'data'),
    '--socket',
    socket,
    '--listen',
    'off',
    '--metrics-listen',
    '127.0.0.1:0',
    ...extraArgs,
  ]);
  try {
    const metricsUrl = String((await p.waitFor('metrics_listening'))['url']);
    await p.waitFor('serving');
    return {
      process: p,
      address: `unix://${socket}`,
      metricsUrl,
      metricsTarget: new URL(metricsUrl).host,
      dir,
      async stop() {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => reap(p), 10_000);
          await p.exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    reap(p);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
