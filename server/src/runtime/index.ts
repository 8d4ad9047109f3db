// The public surface of server/src/runtime: what other folders may import (a lint rule keeps them from reaching past it).
export { dayOf, systemClock, type Clock } from './clock.js';
export { ConfigError } from './config-error.js';
export { didYouMean } from './did-you-mean.js';
export { invalid, isOff, parseInteger, parseListen, parsePath, parseSocketPath, type RawSetting } from './config-fields.js';
export { tplusEnv, type CommandSpec, type FlagDef } from './flag-table.js';
export { heapSettler, type HeapSettler, type SettleResult } from './heap-settle.js';
export { formatUsage } from './format-usage.js';
export { jsonLogger, memoryLogger, type LogFields, type Logger } from './json-logger.js';
export { formatAddress, type ListenAddress } from './listen-address.js';
export { startMetricsServer, type MetricsServer } from './metrics-server.js';
export { HELP, parseCommand, type Env } from './parse-command.js';
export { type ParsedArgs } from './parsed-args.js';
export { nodeProcess, runUntilSignal, type ServeProcess } from './run-until-signal.js';
export { claimSocketPath, removeSocketFile } from './socket-file.js';
export { parseDuration } from './parse-duration.js';
export { UsageError } from './usage-error.js';
export { checkStartResources, type StartResources } from './check-start-resources.js';
export { bindNamed, listenFailure, SECOND_INSTANCE_DOC, StartFailure } from './start-failure.js';
