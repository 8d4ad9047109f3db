import type { RawSetting } from './config-fields.js';

/**
 * One flag of one command: the single place its name, type, environment variable, default, help text
 * and validation are declared. The parser (parse-command.ts), the usage text (format-usage.ts) and the
 * error messages all read this table.
 */
export interface FlagDef {
  /** Without dashes: `listen` is `--listen`. */
  readonly name: string;
  /** A string flag takes a value; a boolean flag takes none (or `=true` / `=false`). */
  readonly type: 'string' | 'boolean';
  readonly help: string;
  /** Placeholder of the value in the usage text, e.g. HOST:PORT (string flags; default VALUE). */
  readonly value?: string;
  /** The environment variable bound to it (TPLUS_*): the flag wins over it, it wins over the default. */
  readonly env?: string;
  /** The configuration field it fills, named in messages (default: the flag name). */
  readonly field?: string;
  /** Used when neither the flag nor its variable is given (origin `default`), and shown in the usage. */
  readonly default?: string;
  /** Shown in the usage when the default is computed elsewhere (e.g. from another setting). */
  readonly defaultNote?: string;
  readonly required?: boolean;
  /** A string flag that may be given several times: its values are joined with commas (as its variable lists them). */
  readonly repeatable?: boolean;
  /** Accepted but not listed in the usage (test hooks). */
  readonly hidden?: boolean;
  /** Validation of the raw text; returns what is wrong (the parser adds where it came from), or null. */
  readonly check?: (setting: RawSetting) => string | null;
}

/** A command: its name as typed (`settle`, `rules transition`), its usage lines and its flag table. */
export interface CommandSpec {
  readonly name: string;
  /** What follows `tplus NAME` on each usage line, e.g. `--market MIC --trade-date YYYY-MM-DD [--json]`. */
  readonly synopsis: readonly string[];
  /** A paragraph under the usage lines. */
  readonly about?: string;
  readonly flags: readonly FlagDef[];
  /** How many positional arguments it takes (default 0). */
  readonly positionals?: number;
  /** Text after the flag list (scenarios, exit codes). */
  readonly footer?: string;
}

/** `TPLUS_` and the flag name in upper case: `metrics-listen` → `TPLUS_METRICS_LISTEN`. */
export function tplusEnv(name: string): string {
  return `TPLUS_${name.replace(/-/g, '_').toUpperCase()}`;
}

/** How an error names a setting's source: `--listen or TPLUS_LISTEN`, or just `--listen`. */
export function flagAndEnv(def: FlagDef): string {
  return def.env === undefined ? `--${def.name}` : `--${def.name} (or ${def.env})`;
}

/** The raw setting for messages when a default applies. */
export function defaultSetting(def: FlagDef, text: string): RawSetting {
  return { field: def.field ?? def.name, origin: 'default', text };
}
