import { format } from 'node:util';
import { setLogger } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { ConfigError } from '../sidecar/config-error.js';
import { jsonLogger } from '../sidecar/json-logger.js';
import type { ServeProcess } from '../sidecar/run-serve.js';
import { loadRegistryConfig } from './load-registry-config.js';
import { startRegistry } from './start-registry.js';

const nodeProcess: ServeProcess = {
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
 * `tplus registry`: validates flags/env, starts the registry and runs until SIGTERM/SIGINT.
 * Resolves with the exit code: 0 after a clean stop, 1 when it could not start, 2 for bad configuration.
 */
export async function runRegistry(argv: readonly string[], env: NodeJS.ProcessEnv, proc: ServeProcess = nodeProcess, now: () => Date = () => new Date()): Promise<number> {
  let loaded;
  try {
    loaded = loadRegistryConfig(argv, env, proc.cwd());
  } catch (err) {
    if (err instanceof ConfigError) {
      proc.stderr(`tplus registry: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (loaded.kind === 'help') {
    proc.stdout(`${loaded.text}\n`);
    return 0;
  }
  const log = jsonLogger((line) => proc.stderr(`${line}\n`), now, 'tplus-registry');
  setLogger({ error: (...args: unknown[]) => log.warn('grpc_js', { message: format(...args) }) });
  let stopRequested = false;
  let onSignal: () => void = () => {
    stopRequested = true;
  };
  const unsubscribe = proc.onSignal(() => onSignal());
  let handle;
  try {
    handle = await startRegistry(loaded.config, { now, log, registry: new Registry() });
  } catch (err) {
    unsubscribe();
    log.error('start_failed', { error: err instanceof Error ? { name: err.name, message: err.message } : String(err) });
    return 1;
  }
  const running = handle;
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      onSignal = () => undefined;
      running.close().then(
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
    onSignal = stop;
    if (stopRequested) stop();
  });
}
