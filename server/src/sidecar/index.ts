/** The sidecar's public surface, for the CLI (`tplus serve`) and for tests. */
export { runServe, BUNDLED_RULES_DIR, type ServeProcess } from './run-serve.js';
export { startSidecar, DATABASE_FILE, type SidecarDeps, type SidecarHandle } from './start-sidecar.js';
export { SERVE_SPEC } from './serve-flags.js';
export { loadSidecarConfig, SERVE_USAGE, type ConfigDefaults, type LoadedConfig } from './load-sidecar-config.js';
export { ConfigError } from '../runtime/config-error.js';
export { formatAddress, type ListenAddress, type SidecarConfig } from './sidecar-config.js';
export { systemClock, type Clock } from '../runtime/clock.js';
export { jsonLogger, memoryLogger, type Logger } from '../runtime/json-logger.js';
