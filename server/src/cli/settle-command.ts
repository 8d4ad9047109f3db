import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DecisionError } from '@tplus/core';
import type { Ruleset } from '@tplus/core';
import { writeAll, type CliIo } from './cli-io.js';
import { decisionJson } from './decision-json.js';
import { loadRuleset } from './load-ruleset.js';
import { checkIdentifierFlags } from './check-identifier-flags.js';
import { parseFlags } from './parse-flags.js';
import { UsageError } from '../runtime/usage-error.js';

const FLAGS = {
  market: { type: 'string' },
  'asset-class': { type: 'string' },
  'trade-date': { type: 'string' },
  'allow-non-trading-day': { type: 'boolean' },
  input: { type: 'string' },
  json: { type: 'boolean' },
  rules: { type: 'string' },
} as const;

const OUTPUT_CHUNK = 64 * 1024;

function errorLine(code: string, message: string): string {
  return `${JSON.stringify({ error: { code, message } })}\n`;
}

function field(obj: Record<string, unknown>, name: string, line: number): string {
  const value = obj[name];
  if (typeof value !== 'string') {
    throw new DecisionError('INVALID_ARGUMENT', `line ${line}: ${name} must be a string, got ${JSON.stringify(value) ?? 'nothing'}`, { field: name });
  }
  return value;
}

/** One JSON Lines input line → one output line, never throwing for the line's own faults. */
export function settleLine(ruleset: Ruleset, text: string, line: number): { out: string; ok: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { out: errorLine('INVALID_ARGUMENT', `line ${line}: not valid JSON`), ok: false };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { out: errorLine('INVALID_ARGUMENT', `line ${line}: expected a JSON object`), ok: false };
  }
  const obj = parsed as Record<string, unknown>;
  try {
    const allow = obj['allow_non_trading_day'] === true;
    const d = ruleset.decide(field(obj, 'trade_date', line), field(obj, 'asset_class', line), field(obj, 'market', line), allow);
    return { out: `${JSON.stringify(decisionJson(d))}\n`, ok: true };
  } catch (e) {
    if (e instanceof DecisionError) return { out: errorLine(e.code, e.message.startsWith('line ') ? e.message : `line ${line}: ${e.message}`), ok: false };
    throw e;
  }
}

async function settleStream(ruleset: Ruleset, input: Readable, io: CliIo): Promise<number> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let buffer = '';
  let line = 0;
  let failed = 0;
  for await (const text of lines) {
    line++;
    const { out, ok } = settleLine(ruleset, text, line);
    if (!ok) failed++;
    buffer += out;
    if (buffer.length >= OUTPUT_CHUNK) {
      const chunk = buffer;
      buffer = '';
      await writeAll(io.stdout, chunk);
    }
  }
  if (buffer.length > 0) await writeAll(io.stdout, buffer);
  if (failed > 0) io.stderr.write(`settle: ${failed} of ${line} lines failed\n`);
  return failed > 0 ? 1 : 0;
}

export async function settleCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, FLAGS, 'settle');
  const input = flags.strings.get('input');
  const single = ['market', 'asset-class', 'trade-date'].filter((f) => flags.strings.has(f));
  if (input !== undefined && single.length > 0) {
    throw new UsageError(`settle: --input cannot be combined with --${single[0]}`);
  }
  if (input === undefined) {
    for (const f of ['trade-date', 'asset-class', 'market']) {
      if (!flags.strings.has(f)) throw new UsageError(`settle: missing required flag --${f} (or use --input FILE|-)`);
    }
  }
  checkIdentifierFlags(flags, 'settle');
  const ruleset = loadRuleset(flags.strings.get('rules') ?? io.defaultRulesDir, io);
  if (input !== undefined) {
    const stream = input === '-' ? io.stdin : createReadStream(input);
    return settleStream(ruleset, stream, io);
  }
  const d = ruleset.decide(
    flags.strings.get('trade-date') ?? '',
    flags.strings.get('asset-class') ?? '',
    flags.strings.get('market') ?? '',
    flags.booleans.has('allow-non-trading-day'),
  );
  io.stdout.write(flags.booleans.has('json') ? `${JSON.stringify(decisionJson(d))}\n` : `${d.settlementDate}\n`);
  return 0;
}
