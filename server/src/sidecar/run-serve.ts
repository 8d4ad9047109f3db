import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { setLogger } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { systemClock } from './clock.js';
import { ConfigError } from './config-error.js';
import { jsonLogger } from './json-logger.js';
import { loadSidecarConfig } from './load-sidecar-config.js';
import { startSidecar } from './start-sidecar.js';

/** The rule pack shipped with tplus (server/rules), from src/ and dist/ alike. */
export const BUNDLED_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

export interface ServeProcess {
  readonly cwd: () => string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Subscribes to SIGTERM/SIGINT; returns an unsubscribe function. */
  readonly onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

const realProcess: ServeProcess = {
  cwd: () => process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal: (handler) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, handler);
    return () => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.off(signal, handler);
    };
  },
};

/**
 * `tplus serve`: validates flags/env, starts the sidecar, and runs until SIGTERM/SIGINT, then shuts
 * down gracefully. A second signal cancels the drain but never skips the cleanup. Resolves with the
 * exit code: 0 after a clean shutdown, 1 when the sidecar could not start, 2 for bad configuration.
 */
export async function runServe(argv: string[], env: NodeJS.ProcessEnv, proc: ServeProcess = realProcess): Promise<number> {
  let loaded;
  try {
    loaded = loadSidecarConfig(argv, env, { cwd: proc.cwd(), rulesDir: BUNDLED_RULES_DIR });
  } catch (err) {
    if (err instanceof ConfigError) {
      proc.stderr(`tplus serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (loaded.kind === 'help') {
    proc.stdout(`${loaded.text}\n`);
    return 0;
  }
  const log = jsonLogger((line) => proc.stderr(`${line}\n`), systemClock);
  // grpc-js reports its own errors through this process-wide hook: keep them structured too.
  setLogger({ error: (...args: unknown[]) => log.warn('grpc_js', { message: format(...args) }) });
  let signals = 0;
  let onSignal: (signal: NodeJS.Signals) => void = () => {
    signals++;
  };
  // Listen before starting, so a signal during start-up still leads to a clean shutdown.
  const unsubscribe = proc.onSignal((signal) => onSignal(signal));
  let handle;
  try {
    handle = await startSidecar(loaded.config, { clock: systemClock, log, registry: new Registry() });
  } catch (err) {
    unsubscribe();
    log.error('start_failed', { error: err });
    return 1;
  }
  const sidecar = handle;
  return new Promise<number>((resolve) => {
    const shutdown = (immediate: boolean): void => {
      sidecar.close({ immediate }).then(
        () => {
          unsubscribe();
          resolve(0);
        },
        (err: unknown) => {
          unsubscribe();
          log.error('shutdown_failed', { error: err });
          resolve(1);
        },
      );
    };
    onSignal = (signal) => {
      signals++;
      log.info('signal_received', { signal, action: signals === 1 ? 'graceful_shutdown' : 'cancel_drain' });
      shutdown(signals > 1);
    };
    if (signals > 0) shutdown(false);
  });
}
