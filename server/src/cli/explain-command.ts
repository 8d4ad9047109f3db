import { explain, formatExplanation } from '@tplus/core';
import type { CliIo } from './cli-io.js';
import { decisionJson } from './decision-json.js';
import { loadRuleset } from './load-ruleset.js';
import { cliCommand } from './cli-command.js';
import { FLAG, required, TERMS_FLAGS, termsFromFlags } from './common-flags.js';
import type { CommandSpec } from '../runtime/index.js';

export const EXPLAIN_SPEC: CommandSpec = {
  name: 'explain',
  synopsis: [
    '--market MIC --asset-class AC --trade-date YYYY-MM-DD [--allow-non-trading-day] [--settlement-type T [--option-days N | --settlement-date D]] [--segment S] [--json] [--rules DIR]',
  ],
  about: 'Shows why a trade settles when it does: the rule that matched, the ones that did not and why, and every day skipped.',
  flags: [
    required(FLAG.market),
    required(FLAG.assetClass),
    required(FLAG.tradeDate),
    FLAG.allowNonTradingDay,
    ...TERMS_FLAGS,
    FLAG.json,
    FLAG.rules,
  ],
};

export const explainCommand = cliCommand(EXPLAIN_SPEC, (flags, io: CliIo) => {
  const ruleset = loadRuleset(flags.get('rules') ?? io.defaultRulesDir, io);
  const e = explain(
    ruleset,
    flags.get('trade-date') ?? '',
    flags.get('asset-class') ?? '',
    flags.get('market') ?? '',
    flags.on('allow-non-trading-day'),
    termsFromFlags(flags),
  );
  if (flags.on('json')) {
    const { decision, ...trace } = e;
    io.stdout.write(`${JSON.stringify({ ...decisionJson(decision), source: decision.rule.source, ...trace })}\n`);
  } else {
    io.stdout.write(`${formatExplanation(e)}\n`);
  }
  return 0;
});
