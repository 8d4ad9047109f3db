import { checkStartResources } from '../runtime/index.js';
import { DataDirLock } from '../store/index.js';
import type { SidecarConfig } from './sidecar-config.js';

/**
 * What the sidecar must have to itself, claimed before its first log line, so that an expected failure
 * (a StartFailure: data dir held or not writable, an address or socket in use) is the first line on
 * stderr: the data dir's lock (held until shutdown), then every listener checked. Resolves with the lock
 * and whether a stale socket file was removed.
 */
export async function claimStart(config: SidecarConfig): Promise<{ readonly lock: DataDirLock; readonly staleSocket: boolean }> {
  const lock = DataDirLock.acquire(config.dataDir);
  try {
    const staleSocket = await checkStartResources({
      tcp: [
        { flag: '--listen', address: config.listen },
        { flag: '--metrics-listen', address: config.metricsListen },
      ],
      socket: { flag: '--socket', path: config.socket },
    });
    return { lock, staleSocket };
  } catch (err) {
    lock.release();
    throw err;
  }
}
