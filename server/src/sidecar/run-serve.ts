import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { systemClock } from '../runtime/index.js';
import { jsonLogger } from '../runtime/index.js';
import { loadSidecarConfig } from './load-sidecar-config.js';
import { nodeProcess, runUntilSignal, type ServeProcess } from '../runtime/index.js';
import { startSidecar } from './start-sidecar.js';

export type { ServeProcess } from '../runtime/index.js';

/** The rule pack shipped with tplus (server/rules), from src/ and dist/ alike. */
export const BUNDLED_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

/**
 * `tplus serve`: validates flags/env, starts the sidecar, and runs until SIGTERM/SIGINT, then shuts
 * down gracefully. Resolves with the exit code: 0 after a clean shutdown, 1 when the sidecar could not
 * start, 2 for bad configuration.
 */
export function runServe(argv: string[], env: NodeJS.ProcessEnv, proc: ServeProcess = nodeProcess): Promise<number> {
  return runUntilSignal(
    {
      command: 'tplus serve',
      load: () => loadSidecarConfig(argv, env, { cwd: proc.cwd(), rulesDir: BUNDLED_RULES_DIR }),
      logger: (write) => jsonLogger(write, systemClock),
      start: (config, log) => startSidecar(config, { clock: systemClock, log, registry: new Registry() }),
    },
    proc,
  );
}
