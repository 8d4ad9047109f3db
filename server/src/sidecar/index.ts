/** The sidecar's public surface, for the CLI (`tplus serve`) and for tests. */
export { runServe, BUNDLED_RULES_DIR, type ServeProcess } from './run-serve.js';
export { startSidecar, DATABASE_FILE, type SidecarDeps, type SidecarHandle } from './start-sidecar.js';
export { SERVE_SPEC } from './serve-flags.js';
export { loadSidecarConfig, SERVE_USAGE, type ConfigDefaults, type LoadedConfig } from './load-sidecar-config.js';
export { formatAddress, type ListenAddress, type SidecarConfig } from './sidecar-config.js';
export { ConfigError, jsonLogger, memoryLogger, systemClock, type Clock, type Logger } from '../runtime/index.js';
export { drillServiceDefinition } from './drill-service.js';
export { DEFAULT_LIMITS } from './server-limits.js';
export { type RulesetInfoMessage, type SettlementDecisionMessage } from './wire-types.js';
