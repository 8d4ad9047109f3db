import type { SettlementServer } from './create-settlement-server.js';
import type { MetricsServer } from '../runtime/index.js';
import type { DataDirLock, RulesetStore } from '../store/index.js';
import type { Logger } from '../runtime/index.js';
import { removeSocketFile } from '../runtime/index.js';

/** What a (possibly half-started) sidecar holds and must release. */
export interface Closeable {
  store: RulesetStore | null;
  grpc: SettlementServer | null;
  metrics: MetricsServer | null;
  /** The socket path this process bound. */
  socket: string | null;
  /** The data dir's lock, released last. */
  lock: DataDirLock | null;
}

/**
 * NOT_SERVING → stop accepting → drain in-flight calls for at most `graceMs` (then cancel them) →
 * close /metrics → close SQLite → remove the socket file. Every step runs even if an earlier one
 * failed. `onForce` receives a function that ends the drain at once (used by a second signal).
 */
export async function shutdownSidecar(r: Closeable, log: Logger, graceMs: number, onForce: (force: () => void) => void): Promise<void> {
  const started = Date.now();
  log.info('shutdown_started', { graceMs });
  const failures: unknown[] = [];
  const step = async (name: string, run: () => void | Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      failures.push(err);
      log.error('shutdown_step_failed', { step: name, error: err });
    }
  };
  const grpc = r.grpc;
  if (grpc) {
    grpc.setServing(false);
    await step(
      'grpc',
      () =>
        new Promise<void>((resolve) => {
          let forced = false;
          const force = (): void => {
            if (forced) return;
            forced = true;
            log.warn('drain_cancelled', { afterMs: Date.now() - started });
            grpc.server.forceShutdown();
            resolve();
          };
          const timer = setTimeout(force, graceMs);
          grpc.server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
          onForce(force);
        }),
    );
  }
  if (r.metrics) await step('metrics', () => r.metrics?.close());
  if (r.store) await step('store', () => r.store?.close());
  if (r.socket) await step('socket', () => removeSocketFile(r.socket as string));
  if (r.lock) await step('lock', () => r.lock?.release());
  log.info('shutdown_complete', { tookMs: Date.now() - started, failures: failures.length });
}
