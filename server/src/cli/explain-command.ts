import { explain, formatExplanation } from '@tplus/core';
import type { CliIo } from './cli-io.js';
import { decisionJson } from './decision-json.js';
import { loadRuleset } from './load-ruleset.js';
import { checkIdentifierFlags } from './check-identifier-flags.js';
import { parseFlags } from './parse-flags.js';

const FLAGS = {
  market: { type: 'string', required: true },
  'asset-class': { type: 'string', required: true },
  'trade-date': { type: 'string', required: true },
  'allow-non-trading-day': { type: 'boolean' },
  json: { type: 'boolean' },
  rules: { type: 'string' },
} as const;

export function explainCommand(args: readonly string[], io: CliIo): number {
  const flags = parseFlags(args, FLAGS, 'explain');
  checkIdentifierFlags(flags, 'explain');
  const ruleset = loadRuleset(flags.strings.get('rules') ?? io.defaultRulesDir, io);
  const e = explain(
    ruleset,
    flags.strings.get('trade-date') ?? '',
    flags.strings.get('asset-class') ?? '',
    flags.strings.get('market') ?? '',
    flags.booleans.has('allow-non-trading-day'),
  );
  if (flags.booleans.has('json')) {
    const { decision, ...trace } = e;
    io.stdout.write(`${JSON.stringify({ ...decisionJson(decision), source: decision.rule.source, ...trace })}\n`);
  } else {
    io.stdout.write(`${formatExplanation(e)}\n`);
  }
  return 0;
}
