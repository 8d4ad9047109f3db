import { format } from 'node:util';
import { setLogger } from '@grpc/grpc-js';
import { ConfigError } from './config-error.js';
import type { Logger } from './json-logger.js';
import { StartFailure } from './start-failure.js';
import { UsageError } from './usage-error.js';

/** What a long-running command touches of its process; tests pass their own. */
export interface ServeProcess {
  readonly cwd: () => string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Subscribes to SIGTERM/SIGINT; returns an unsubscribe function. */
  readonly onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

export const nodeProcess: ServeProcess = {
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

export type LoadedConfig<C> = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'config'; readonly config: C };

export interface Stoppable {
  /** Graceful unless `immediate` (a second signal): either way every resource is released. */
  close(options: { readonly immediate: boolean }): Promise<void>;
}

export interface RunSpec<C> {
  /** e.g. `tplus serve`, prefixed to configuration errors. */
  readonly command: string;
  readonly load: () => LoadedConfig<C>;
  readonly logger: (write: (line: string) => void) => Logger;
  readonly start: (config: C, log: Logger) => Promise<Stoppable>;
}

/**
 * The life of a server command: validate flags/env (exit 2 naming the field; a malformed line also prints the usage), start (exit 1 when it
 * cannot; a StartFailure first prints one plain line naming the flag and the value), run until SIGTERM/SIGINT, then close gracefully; a second signal cancels the drain but never
 * skips the cleanup. A signal during start-up still leads to a clean shutdown. Resolves with the exit code.
 */
export async function runUntilSignal<C>(spec: RunSpec<C>, proc: ServeProcess): Promise<number> {
  let loaded: LoadedConfig<C>;
  try {
    loaded = spec.load();
  } catch (err) {
    if (err instanceof ConfigError) {
      proc.stderr(`${spec.command}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      proc.stderr(`${spec.command}: ${err.message}\n${err.usage === undefined ? '' : `${err.usage}\n`}`);
      return 2;
    }
    throw err;
  }
  if (loaded.kind === 'help') {
    proc.stdout(`${loaded.text}\n`);
    return 0;
  }
  const log = spec.logger((line) => proc.stderr(`${line}\n`));
  // grpc-js reports its own errors through this process-wide hook: keep them structured too.
  setLogger({ error: (...args: unknown[]) => log.warn('grpc_js', { message: format(...args) }) });
  let signals = 0;
  let onSignal: (signal: NodeJS.Signals) => void = () => {
    signals++;
  };
  const unsubscribe = proc.onSignal((signal) => onSignal(signal));
  let running: Stoppable;
  try {
    running = await spec.start(loaded.config, log);
  } catch (err) {
    unsubscribe();
    if (err instanceof StartFailure) {
      // Expected (in use, not writable): one line for people first, then the log line, without a stack.
      proc.stderr(`${spec.command}: ${err.message}\n`);
      log.error('start_failed', { flag: err.flag, value: err.value, problem: err.problem, remedy: err.remedy });
    } else log.error('start_failed', { error: err });
    return 1;
  }
  return new Promise<number>((resolve) => {
    const shutdown = (immediate: boolean): void => {
      running.close({ immediate }).then(
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
