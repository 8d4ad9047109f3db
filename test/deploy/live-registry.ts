import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reap, spawnSidecar, type SidecarProcess } from '../integration/sidecar-process.js';
import { runTplus, spawnTplus, type TplusProcess } from '../registry/tplus-process.js';
import { ROOT } from './deploy-files.js';

/**
 * Real processes, as an operator runs them: `tplus keygen`, a tokens file, `tplus registry` (gRPC and
 * /metrics on free loopback ports), `tplus publish` of the bundled pack, and `tplus serve --registry`
 * following it (Unix socket, /metrics on a free loopback port).
 */
export interface LiveFleet {
  readonly registry: TplusProcess;
  readonly follower: SidecarProcess;
  /** 127.0.0.1:PORT of the registry's gRPC server. */
  readonly registryAddress: string;
  /** http://127.0.0.1:PORT/metrics of the registry. */
  readonly registryMetricsUrl: string;
  readonly registryMetricsTarget: string;
  /** unix:///…/tplus.sock of the following sidecar, for the SDK. */
  readonly followerAddress: string;
  readonly followerMetricsUrl: string;
  readonly followerMetricsTarget: string;
  stop(): Promise<void>;
}

const HEARTBEAT_MS = 200;

async function stopSidecar(p: SidecarProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => reap(p), 10_000);
  await p.exited;
  clearTimeout(timer);
}

export async function startLiveFleet(): Promise<LiveFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-deploy-fleet-'));
  let registry: TplusProcess | null = null;
  let follower: SidecarProcess | null = null;
  const cleanup = async (): Promise<void> => {
    if (follower) await stopSidecar(follower);
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const keygen = await runTplus(['keygen', '--out', join(dir, 'keys')]);
    if (keygen.code !== 0) throw new Error(`tplus keygen failed:\n${keygen.output}`);
    const publishToken = randomBytes(16).toString('hex');
    const readToken = randomBytes(16).toString('hex');
    writeFileSync(join(dir, 'tokens'), `publish ${publishToken}\nread ${readToken}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'publish.token'), `${publishToken}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'read.token'), `${readToken}\n`, { mode: 0o600 });

    registry = spawnTplus([
      'registry',
      '--data-dir',
      join(dir, 'registry'),
      '--listen',
      '127.0.0.1:0',
      '--signing-key',
      join(dir, 'keys', 'signing.key'),
      '--tokens',
      join(dir, 'tokens'),
      '--metrics-listen',
      '127.0.0.1:0',
      '--heartbeat-ms',
      String(HEARTBEAT_MS),
    ]);
    const serving = await registry.waitFor('registry_serving');
    const registryAddress = String(serving['address']);
    const registryMetricsTarget = String(serving['metrics']);

    const publish = await runTplus([
      'publish',
      '--registry',
      registryAddress,
      '--token-file',
      join(dir, 'publish.token'),
      '--rules',
      join(ROOT, 'server/rules'),
      '--reason',
      'test/deploy: initial pack',
    ]);
    if (publish.code !== 0) throw new Error(`tplus publish failed:\n${publish.output}`);

    const socket = join(dir, 'tplus.sock');
    follower = spawnSidecar([
      '--data-dir',
      join(dir, 'sidecar'),
      '--socket',
      socket,
      '--listen',
      'off',
      '--metrics-listen',
      '127.0.0.1:0',
      '--registry',
      registryAddress,
      '--registry-public-key',
      join(dir, 'keys', 'signing.pub'),
      '--registry-token-file',
      join(dir, 'read.token'),
    ]);
    const followerMetricsUrl = String((await follower.waitFor('metrics_listening'))['url']);
    await follower.waitFor('serving');
    await follower.waitFor('snapshot_installed', (l) => l['version'] === 1);
    const [r, f] = [registry, follower];
    return {
      registry: r,
      follower: f,
      registryAddress,
      registryMetricsUrl: `http://${registryMetricsTarget}/metrics`,
      registryMetricsTarget,
      followerAddress: `unix://${socket}`,
      followerMetricsUrl,
      followerMetricsTarget: new URL(followerMetricsUrl).host,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
