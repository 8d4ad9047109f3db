import { diffRulesets, rangeKey } from '@tplus/core';
import { transitionTable } from '@tplus/core';
import { parseTradeDate } from '@tplus/core';
import { compilePack } from '../pack/index.js';
import { formatProblem } from '../pack/index.js';
import type { CliIo } from './cli-io.js';
import { loadRuleset } from './load-ruleset.js';
import { cliCommand, type CommandRun } from './cli-command.js';
import { FLAG, required } from './common-flags.js';
import type { CommandSpec } from '../runtime/index.js';
import { formatUsage } from '../runtime/index.js';
import type { ParsedArgs } from '../runtime/index.js';
import { didYouMean, UsageError } from '../runtime/index.js';

const date = (name: string, help: string): CommandSpec['flags'][number] => ({ name, type: 'string', value: 'YYYY-MM-DD', help });

const VALIDATE: CommandSpec = {
  name: 'rules validate',
  synopsis: ['[DIR] [--json]'],
  about: 'Checks a rule pack (default: the bundled one) and lists every problem; exit 1 when one is an error.',
  flags: [FLAG.json],
  positionals: 1,
};

const TRANSITION: CommandSpec = {
  name: 'rules transition',
  synopsis: ['--market MIC --asset-class AC [--segment S] --around YYYY-MM-DD [--days N] [--json] [--rules DIR]'],
  about: 'The trade dates around a cycle change, each with its settlement date; flags double settlement days.',
  flags: [
    required(FLAG.market),
    required(FLAG.assetClass),
    FLAG.segment,
    { ...date('around', 'the day to look around'), required: true },
    { name: 'days', type: 'string', value: 'N', help: 'trade dates on each side, 0..400', default: '10' },
    FLAG.json,
    FLAG.rules,
  ],
};

const DIFF: CommandSpec = {
  name: 'rules diff',
  synopsis: ['OLD_DIR NEW_DIR [--from D] [--to D] [--json]'],
  about: 'Which trade dates get a different answer from two local rule packs; any range, Ctrl-C stops it.',
  flags: [
    FLAG.json,
    { ...date('from', 'first trade date'), default: '2000-01-01' },
    { ...date('to', 'last trade date'), default: '2035-12-31' },
  ],
  positionals: 2,
};

/** The usage of `tplus rules`: its three subcommands. */
export const RULES_USAGE = [VALIDATE, TRANSITION, DIFF].map(formatUsage).join('\n\n');

function validate(flags: ParsedArgs, io: CliIo): number {
  const dir = flags.positionals[0] ?? io.defaultRulesDir;
  const pack = compilePack(dir, { today: io.today });
  const errors = pack.problems.filter((p) => p.severity === 'error').length;
  if (flags.on('json')) {
    io.stdout.write(`${JSON.stringify({ valid: errors === 0, hash: pack.hash, problems: pack.problems })}\n`);
    return errors === 0 ? 0 : 1;
  }
  for (const p of pack.problems) (p.severity === 'error' ? io.stderr : io.stdout).write(`${formatProblem(p)}\n`);
  if (errors > 0 || !pack.document) {
    io.stderr.write(`rules validate: ${dir}: ${errors} error(s), ${pack.problems.length - errors} warning(s)\n`);
    return 1;
  }
  io.stdout.write(
    `ok: ${dir}: ${pack.files.length} files, ${pack.document.calendars.length} calendars, ${pack.document.rules.length} rules, sha256 ${pack.hash}\n`,
  );
  return 0;
}

function transition(flags: ParsedArgs, io: CliIo): number {
  const daysText = flags.get('days') ?? '10';
  const days = Number(daysText);
  if (!Number.isInteger(days) || days < 0 || days > 400)
    throw new UsageError(`rules transition: --days ${daysText} must be an integer 0..400`);
  const ruleset = loadRuleset(flags.get('rules') ?? io.defaultRulesDir, io);
  const around = parseTradeDate(flags.get('around') ?? '', 'around');
  const rows = transitionTable(
    ruleset,
    flags.get('asset-class') ?? '',
    flags.get('market') ?? '',
    around,
    days,
    flags.get('segment') ?? '',
  );
  if (flags.on('json')) {
    for (const r of rows) io.stdout.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  io.stdout.write('trade date  day  settles     T+  rule                      note\n');
  for (const r of rows) {
    const note =
      r.closedBecause !== null
        ? `not a trading day: ${r.closedBecause}`
        : r.doubleSettlementRules.length > 0
          ? `DOUBLE SETTLEMENT DAY (${r.doubleSettlementRules.join(' + ')})`
          : '';
    io.stdout.write(
      `${r.tradeDate}  ${r.weekday}  ${r.settlementDate ?? '-         '}  ${r.cycleDays === null ? '- ' : String(r.cycleDays).padEnd(2)}  ${(r.ruleId ?? '-').padEnd(24)}  ${note}\n`.replace(
        /\s+\n$/,
        '\n',
      ),
    );
  }
  return 0;
}

function diff(flags: ParsedArgs, io: CliIo): number {
  const [oldDir, newDir] = flags.positionals;
  if (oldDir === undefined || newDir === undefined) throw new UsageError('rules diff: needs OLD_DIR and NEW_DIR');
  const before = loadRuleset(oldDir, io);
  const after = loadRuleset(newDir, io);
  const from = parseTradeDate(flags.get('from') ?? '', 'from');
  const to = parseTradeDate(flags.get('to') ?? '', 'to');
  const ranges = diffRulesets(before, after, from, to);
  if (flags.on('json')) {
    io.stdout.write(`${JSON.stringify({ from: before.hash, to: after.hash, ranges })}\n`);
    return 0;
  }
  if (ranges.length === 0) {
    io.stdout.write(`no trade date gets a different answer (${oldDir} → ${newDir})\n`);
    return 0;
  }
  const total = ranges.reduce((n, r) => n + r.changedDates, 0);
  io.stdout.write(`${total} trade dates in ${ranges.length} ranges get a different answer (${oldDir} → ${newDir}):\n`);
  for (const r of ranges) {
    io.stdout.write(`${rangeKey(r)} ${r.from}..${r.to}: ${r.changedDates} trade date(s)\n`);
    for (const e of r.examples) io.stdout.write(`  trade ${e.tradeDate}: ${e.before} → ${e.after}\n`);
  }
  return 0;
}

const SUBCOMMANDS: Readonly<Record<string, CommandRun>> = {
  validate: cliCommand(VALIDATE, validate),
  transition: cliCommand(TRANSITION, transition),
  diff: cliCommand(DIFF, diff),
};

/** `tplus rules validate|transition|diff`; `tplus rules --help` lists the three. */
export async function rulesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') {
    io.stdout.write(`${RULES_USAGE}\n`);
    return 0;
  }
  const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (run === undefined) {
    const guess = sub === undefined ? null : didYouMean(sub, Object.keys(SUBCOMMANDS));
    const hint = guess === null ? '(validate, transition, diff)' : `(did you mean ${guess}?)`;
    throw new UsageError(`rules: unknown subcommand ${JSON.stringify(sub ?? '')} ${hint}`, RULES_USAGE);
  }
  return run(rest, io);
}
