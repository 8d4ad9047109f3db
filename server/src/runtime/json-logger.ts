import type { Clock } from './clock.js';

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

/** Structured lifecycle log: one JSON line per event (start, listen, ruleset change, shutdown), never per decision. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  return value;
}

/** A tiny pino-compatible JSON line logger: `{"time","level","name","event",...fields}`. */
export function jsonLogger(write: (line: string) => void, clock: Clock, name = 'tplus-sidecar'): Logger {
  const emit = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    const record: Record<string, unknown> = { time: clock().toISOString(), level, name, event };
    for (const [k, v] of Object.entries(fields)) record[k] = plain(v);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record['time'], level, name, event, note: 'fields were not serializable' });
    }
    write(line);
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

/** A logger that keeps its records, for tests. */
export function memoryLogger(clock: Clock): Logger & { readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = jsonLogger((line) => lines.push(JSON.parse(line) as Record<string, unknown>), clock);
  return Object.assign(logger, { lines });
}
