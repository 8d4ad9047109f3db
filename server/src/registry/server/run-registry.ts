import { Registry } from 'prom-client';
import { jsonLogger } from '../../runtime/index.js';
import { nodeProcess, runUntilSignal, type ServeProcess } from '../../runtime/index.js';
import { loadRegistryConfig } from './load-registry-config.js';
import { startRegistry } from './start-registry.js';

/**
 * `tplus registry`: validates flags/env, starts the registry and runs until SIGTERM/SIGINT.
 * Resolves with the exit code: 0 after a clean stop, 1 when it could not start, 2 for bad configuration.
 */
export function runRegistry(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  proc: ServeProcess = nodeProcess,
  now: () => Date = () => new Date(),
): Promise<number> {
  return runUntilSignal(
    {
      command: 'tplus registry',
      load: () => loadRegistryConfig(argv, env, proc.cwd()),
      logger: (write) => jsonLogger(write, now, 'tplus-registry'),
      start: async (config, log) => {
        const handle = await startRegistry(config, { now, log, registry: new Registry() });
        return { close: () => handle.close() };
      },
    },
    proc,
  );
}
