import { parseArgs } from 'node:util';
import { ConfigError } from './config-error.js';
import type { RawSetting } from './config-fields.js';
import { didYouMean } from './did-you-mean.js';
import { flagAndEnv, type CommandSpec } from './flag-table.js';
import { formatUsage } from './format-usage.js';
import { ParsedArgs } from './parsed-args.js';
import { UsageError } from './usage-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** `--help` (or `-h`) anywhere on the line: the caller prints the command's usage and exits 0. */
export const HELP = Symbol('help');

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off', '']);

function booleanText(s: RawSetting): string {
  const text = s.text.trim().toLowerCase();
  if (TRUE.has(text)) return 'true';
  if (FALSE.has(text)) return 'false';
  throw new ConfigError(s.field, `invalid ${s.field}: ${s.origin}=${JSON.stringify(s.text)}: expected true or false`);
}

/** Flags from argv as written: unknown flags, missing values and stray arguments are usage errors. */
function readArgv(spec: CommandSpec, argv: readonly string[]): { flags: Map<string, RawSetting>; positionals: string[] } | typeof HELP {
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const options = Object.fromEntries(spec.flags.map((f) => [f.name, { type: f.type }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && (t.name === 'help' || t.name === 'h') && !byName.has(t.name))) return HELP;
  const flags = new Map<string, RawSetting>();
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const def = byName.get(t.name);
    if (def === undefined) {
      const guess = t.rawName.startsWith('--')
        ? didYouMean(
            t.name,
            spec.flags.filter((f) => f.hidden !== true).map((f) => f.name),
          )
        : null;
      throw new UsageError(`unknown flag ${t.rawName}${guess === null ? '' : ` (did you mean --${guess}?)`}`);
    }
    const field = def.field ?? def.name;
    if (def.type === 'boolean') {
      const text = t.inlineValue === true ? booleanText({ field, origin: `--${def.name}`, text: t.value ?? '' }) : 'true';
      flags.set(def.name, { field, origin: `--${def.name}`, text });
    } else if (t.value === undefined || (t.inlineValue !== true && t.value.startsWith('--'))) {
      throw new UsageError(`--${def.name} needs a value`);
    } else {
      const before = def.repeatable === true ? flags.get(def.name) : undefined;
      flags.set(def.name, { field, origin: `--${def.name}`, text: before === undefined ? t.value : `${before.text},${t.value}` });
    }
  }
  const max = spec.positionals ?? 0;
  if (positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`);
  return { flags, positionals };
}

/**
 * Parses one command's arguments against its flag table and binds each flag's environment variable:
 * the flag wins over the variable, the variable over the default. Throws UsageError for a malformed
 * line (unknown flag, with a "did you mean"; missing value; stray argument; missing required flag)
 * and ConfigError, naming the field and the flag or variable the text came from, for a value the
 * table's validation refuses. Returns HELP for --help / -h.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[], env: Env): ParsedArgs | typeof HELP {
  try {
    return bind(spec, readArgv(spec, argv), env);
  } catch (e) {
    if (e instanceof UsageError && e.usage === undefined) throw new UsageError(e.message, formatUsage(spec));
    throw e;
  }
}

function bind(spec: CommandSpec, read: ReturnType<typeof readArgv>, env: Env): ParsedArgs | typeof HELP {
  if (read === HELP) return HELP;
  const settings = new Map<string, RawSetting>();
  for (const def of spec.flags) {
    const field = def.field ?? def.name;
    const fromEnv = def.env === undefined ? undefined : env[def.env];
    let s =
      read.flags.get(def.name) ?? (fromEnv === undefined || def.env === undefined ? undefined : { field, origin: def.env, text: fromEnv });
    if (s !== undefined && def.type === 'boolean' && s.origin === def.env) s = { ...s, text: booleanText(s) };
    if (s === undefined && def.default !== undefined) s = { field, origin: 'default', text: def.default };
    if (s === undefined) {
      if (def.required === true) throw new UsageError(`missing required flag ${flagAndEnv(def)}`);
      continue;
    }
    const wrong = s.origin === 'default' ? null : (def.check?.(s) ?? null);
    if (wrong !== null) throw new ConfigError(field, wrong);
    settings.set(def.name, s);
  }
  return new ParsedArgs(settings, read.positionals);
}
