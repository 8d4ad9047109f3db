import { UsageError } from '../runtime/usage-error.js';

export interface FlagSpec {
  readonly [flag: string]: { readonly type: 'string' | 'boolean'; readonly required?: boolean };
}

export type ParsedFlags = {
  readonly strings: ReadonlyMap<string, string>;
  readonly booleans: ReadonlySet<string>;
  readonly positionals: readonly string[];
};

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag`. Unknown flags, missing values and missing
 * required flags are usage errors naming the flag.
 */
export function parseFlags(args: readonly string[], spec: FlagSpec, command: string, maxPositionals = 0): ParsedFlags {
  const strings = new Map<string, string>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      if (arg !== '--') positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const def = spec[name];
    if (!def) {
      const known = Object.keys(spec).map((f) => `--${f}`).join(', ');
      throw new UsageError(`${command}: unknown flag --${name} (known: ${known || 'none'})`);
    }
    if (def.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`${command}: --${name} takes no value`);
      booleans.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${command}: --${name} needs a value`);
    strings.set(name, value);
  }
  for (const [name, def] of Object.entries(spec)) {
    if (def.required && !strings.has(name)) throw new UsageError(`${command}: missing required flag --${name}`);
  }
  if (positionals.length > maxPositionals) {
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positionals[maxPositionals])}`);
  }
  return { strings, booleans, positionals };
}
