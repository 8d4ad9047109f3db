import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DecisionError } from '@tplus/core';
import type { DecideTerms, Ruleset } from '@tplus/core';
import { writeAll, type CliIo } from './cli-io.js';
import { decisionJson } from './decision-json.js';
import { loadRuleset } from './load-ruleset.js';
import { BUNDLED_SOURCE } from '../pack/index.js';
import { cliCommand } from './cli-command.js';
import { FLAG, REGISTRY_FLAGS, TERMS_FLAGS, termsFromFlags } from './common-flags.js';
import type { CommandSpec } from '../runtime/index.js';
import type { ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';

/** The flags that turn `settle` into a replay of a published version (replay-commands.ts). */
export const REPLAY_FLAGS = [
  'ruleset-version',
  'sidecar',
  'registry',
  'token-file',
  'registry-public-key',
  'tls-ca',
  'tls-client-cert',
  'tls-client-key',
];

/** `tplus settle`: one trade, a JSON Lines stream, or a replay against a registry or sidecar. */
export const SETTLE_SPEC: CommandSpec = {
  name: 'settle',
  synopsis: [
    '--market MIC --asset-class AC --trade-date YYYY-MM-DD [--allow-non-trading-day] [--settlement-type T [--option-days N | --settlement-date D]] [--segment S] [--json] [--rules DIR]',
    '--input FILE|- [--json] [--rules DIR]',
    '--ruleset-version N --registry ADDR [--token-file F] [--registry-public-key FILE] --market MIC --asset-class AC --trade-date D [--json]',
    '--ruleset-version N --sidecar ADDR --market MIC --asset-class AC --trade-date D [--json]',
  ],
  about: [
    'Prints the settlement date of a trade (with --json, the decision and the rule and ruleset behind it).',
    '--input reads JSON Lines {"trade_date","asset_class","market"} (optionally "settlement_type", "option_days",',
    '"settlement_date", "segment", "allow_non_trading_day") and answers one line for each.',
    '--ruleset-version N answers as version N did: fetched from the registry and verified, or from a',
    'sidecar that still holds it (it keeps the last few).',
  ].join('\n'),
  flags: [
    FLAG.market,
    FLAG.assetClass,
    FLAG.tradeDate,
    FLAG.allowNonTradingDay,
    ...TERMS_FLAGS,
    { name: 'input', type: 'string', value: 'FILE|-', help: 'JSON Lines input, - for stdin' },
    FLAG.json,
    FLAG.rules,
    { name: 'ruleset-version', type: 'string', value: 'N', help: 'answer as this published version did' },
    { name: 'sidecar', type: 'string', value: 'ADDR', help: 'with --ruleset-version: ask this sidecar (HOST:PORT or unix:/path)' },
    ...REGISTRY_FLAGS,
    FLAG.registryPublicKey,
  ],
};

const OUTPUT_CHUNK = 64 * 1024;

function errorLine(code: string, message: string): string {
  return `${JSON.stringify({ error: { code, message } })}\n`;
}

function field(obj: Record<string, unknown>, name: string, line: number): string {
  const value = obj[name];
  if (typeof value !== 'string') {
    throw new DecisionError('INVALID_ARGUMENT', `line ${line}: ${name} must be a string, got ${JSON.stringify(value) ?? 'nothing'}`, {
      field: name,
    });
  }
  return value;
}

function optionalString(obj: Record<string, unknown>, name: string, line: number): string | undefined {
  return obj[name] === undefined ? undefined : field(obj, name, line);
}

function optionalCount(obj: Record<string, unknown>, name: string, line: number): number | undefined {
  const value = obj[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new DecisionError('INVALID_ARGUMENT', `line ${line}: ${name} must be a whole number, got ${JSON.stringify(value)}`, {
      field: name,
    });
  }
  return value;
}

/** The line's settlement type and segment; undefined when it has none (the plain REGULAR path). */
function lineTerms(obj: Record<string, unknown>, line: number): DecideTerms | undefined {
  const terms = {
    settlementType: optionalString(obj, 'settlement_type', line),
    optionDays: optionalCount(obj, 'option_days', line),
    settlementDate: optionalString(obj, 'settlement_date', line),
    segment: optionalString(obj, 'segment', line),
  };
  return Object.values(terms).every((v) => v === undefined) ? undefined : terms;
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
    const d = ruleset.decide(
      field(obj, 'trade_date', line),
      field(obj, 'asset_class', line),
      field(obj, 'market', line),
      allow,
      lineTerms(obj, line),
    );
    return { out: `${JSON.stringify(decisionJson(d))}\n`, ok: true };
  } catch (e) {
    if (e instanceof DecisionError)
      return { out: errorLine(e.code, e.message.startsWith('line ') ? e.message : `line ${line}: ${e.message}`), ok: false };
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

/** Plain `settle` (no replay flags): decided locally from a rule pack. */
export async function settleLocally(flags: ParsedArgs, io: CliIo): Promise<number> {
  const input = flags.get('input');
  const single = ['market', 'asset-class', 'trade-date'].filter((f) => flags.onArgv(f));
  if (input !== undefined && single.length > 0) {
    throw new UsageError(`settle: --input cannot be combined with --${single[0]}`);
  }
  if (input === undefined) {
    for (const f of ['trade-date', 'asset-class', 'market']) {
      if (!flags.onArgv(f)) throw new UsageError(`settle: missing required flag --${f} (or use --input FILE|-)`);
    }
  }
  const ruleset = loadRuleset(flags.get('rules') ?? io.defaultRulesDir, io);
  if (input !== undefined) {
    const stream = input === '-' ? io.stdin : createReadStream(input);
    return settleStream(ruleset, stream, io);
  }
  const d = ruleset.decide(
    flags.get('trade-date') ?? '',
    flags.get('asset-class') ?? '',
    flags.get('market') ?? '',
    flags.on('allow-non-trading-day'),
    termsFromFlags(flags),
  );
  io.stdout.write(flags.on('json') ? `${JSON.stringify(decisionJson(d, BUNDLED_SOURCE))}\n` : `${d.settlementDate}\n`);
  return 0;
}

/** `tplus settle` without the registry client loaded: the replay flags are refused. */
export const settleCommand = cliCommand(SETTLE_SPEC, (flags, io) => {
  const replay = REPLAY_FLAGS.find((f) => flags.onArgv(f));
  if (replay !== undefined) throw new UsageError(`settle: --${replay} needs the registry client, which this build does not include`);
  return settleLocally(flags, io);
});
