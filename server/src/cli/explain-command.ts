import { explain, formatExplanation, NoRuleError } from '@tplus/core';
import { writeMiss } from './explain-miss-output.js';
import type { CliIo } from './cli-io.js';
import { decisionJson } from './decision-json.js';
import { loadRuleset } from './load-ruleset.js';
import { BUNDLED_SOURCE } from '../pack/index.js';
import { cliCommand } from './cli-command.js';
import { FLAG, required, TERMS_FLAGS, termsFromFlags } from './common-flags.js';
import type { CommandSpec } from '../runtime/index.js';

export const EXPLAIN_SPEC: CommandSpec = {
  name: 'explain',
  synopsis: [
    '--market MIC --asset-class AC --trade-date YYYY-MM-DD [--allow-non-trading-day] [--settlement-type T [--option-days N | --settlement-date D]] [--segment S] [--json] [--rules DIR]',
  ],
  about: [
    'Shows why a trade settles when it does: the rule that matched, the ones that did not and why, and every day skipped.',
    'When no rule matches: the rules of that market and asset class and where the date falls, or the closest known codes (exit 1).',
  ].join('\n'),
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
  const asked = { tradeDate: flags.get('trade-date') ?? '', assetClass: flags.get('asset-class') ?? '', market: flags.get('market') ?? '' };
  let e;
  try {
    e = explain(ruleset, asked.tradeDate, asked.assetClass, asked.market, flags.on('allow-non-trading-day'), termsFromFlags(flags));
  } catch (err) {
    // No rule matched: say why (the key's rules, or the closest known codes), then fail as settle does.
    if (err instanceof NoRuleError) writeMiss(io, err, asked, flags.on('json'));
    throw err;
  }
  if (flags.on('json')) {
    const { decision, ...trace } = e;
    io.stdout.write(`${JSON.stringify({ ...decisionJson(decision, BUNDLED_SOURCE), source: decision.rule.source, ...trace })}\n`);
  } else {
    io.stdout.write(`${formatExplanation(e)}\n`);
  }
  return 0;
});
