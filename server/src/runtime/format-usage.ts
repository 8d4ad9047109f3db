import type { CommandSpec, FlagDef } from './flag-table.js';

const WIDTH = 44;

function left(def: FlagDef): string {
  const name = def.type === 'string' ? `--${def.name} ${def.value ?? 'VALUE'}` : `--${def.name}`;
  return def.env === undefined ? name : `${name} (${def.env})`;
}

function right(def: FlagDef): string {
  const dflt = def.defaultNote ?? (def.default === undefined || def.default === '' ? undefined : def.default);
  const notes = [def.required === true ? 'required' : undefined, dflt === undefined ? undefined : `default: ${dflt}`].filter(
    (x) => x !== undefined,
  );
  return notes.length === 0 ? def.help : `${def.help} (${notes.join('; ')})`;
}

/** The usage text of one command, built from its flag table: what `tplus CMD --help` prints. */
export function formatUsage(spec: CommandSpec): string {
  const lines = spec.synopsis.map((s, i) => `${i === 0 ? 'usage:' : '      '} tplus ${spec.name}${s === '' ? '' : ` ${s}`}`);
  if (spec.about !== undefined) lines.push('', spec.about);
  const shown = spec.flags.filter((f) => f.hidden !== true);
  lines.push('', 'flags:');
  for (const def of [...shown, { name: 'help', type: 'boolean', help: 'print this text and exit' } as const]) {
    const l = left(def);
    lines.push(l.length < WIDTH ? `  ${l.padEnd(WIDTH)}${right(def)}` : `  ${l}\n  ${' '.repeat(WIDTH)}${right(def)}`);
  }
  if (spec.footer !== undefined) lines.push('', spec.footer);
  return lines.join('\n');
}
