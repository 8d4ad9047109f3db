import { diffRulesets } from '@tplus/core';
import { transitionTable } from '@tplus/core';
import { parseTradeDate } from '@tplus/core';
import { compilePack } from '../pack/compile-pack.js';
import { formatProblem } from '../pack/pack-problem.js';
import type { CliIo } from './cli-io.js';
import { loadRuleset } from './load-ruleset.js';
import { parseFlags } from './parse-flags.js';
import { UsageError } from '../runtime/usage-error.js';

function validate(args: readonly string[], io: CliIo): number {
  const flags = parseFlags(args, { json: { type: 'boolean' } }, 'rules validate', 1);
  const dir = flags.positionals[0] ?? io.defaultRulesDir;
  const pack = compilePack(dir, { today: io.today });
  const errors = pack.problems.filter((p) => p.severity === 'error').length;
  if (flags.booleans.has('json')) {
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

function transition(args: readonly string[], io: CliIo): number {
  const flags = parseFlags(
    args,
    {
      market: { type: 'string', required: true },
      'asset-class': { type: 'string', required: true },
      around: { type: 'string', required: true },
      days: { type: 'string' },
      json: { type: 'boolean' },
      rules: { type: 'string' },
    },
    'rules transition',
  );
  const daysText = flags.strings.get('days') ?? '10';
  const days = Number(daysText);
  if (!Number.isInteger(days) || days < 0 || days > 400) throw new UsageError(`rules transition: --days ${daysText} must be an integer 0..400`);
  const ruleset = loadRuleset(flags.strings.get('rules') ?? io.defaultRulesDir, io);
  const around = parseTradeDate(flags.strings.get('around') ?? '', 'around');
  const rows = transitionTable(ruleset, flags.strings.get('asset-class') ?? '', flags.strings.get('market') ?? '', around, days);
  if (flags.booleans.has('json')) {
    for (const r of rows) io.stdout.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  io.stdout.write('trade date  day  settles     T+  rule                      note\n');
  for (const r of rows) {
    const note = r.closedBecause !== null ? `not a trading day: ${r.closedBecause}` : r.doubleSettlementRules.length > 0 ? `DOUBLE SETTLEMENT DAY (${r.doubleSettlementRules.join(' + ')})` : '';
    io.stdout.write(
      `${r.tradeDate}  ${r.weekday}  ${r.settlementDate ?? '-         '}  ${r.cycleDays === null ? '- ' : String(r.cycleDays).padEnd(2)}  ${(r.ruleId ?? '-').padEnd(24)}  ${note}\n`.replace(/\s+\n$/, '\n'),
    );
  }
  return 0;
}

function diff(args: readonly string[], io: CliIo): number {
  const flags = parseFlags(args, { json: { type: 'boolean' }, from: { type: 'string' }, to: { type: 'string' } }, 'rules diff', 2);
  const [oldDir, newDir] = flags.positionals;
  if (oldDir === undefined || newDir === undefined) throw new UsageError('rules diff: usage: rules diff OLD_DIR NEW_DIR');
  const before = loadRuleset(oldDir, io);
  const after = loadRuleset(newDir, io);
  const from = parseTradeDate(flags.strings.get('from') ?? '2000-01-01', 'from');
  const to = parseTradeDate(flags.strings.get('to') ?? '2035-12-31', 'to');
  const ranges = diffRulesets(before, after, from, to);
  if (flags.booleans.has('json')) {
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
    io.stdout.write(`${r.market} ${r.assetClass} ${r.from}..${r.to}: ${r.changedDates} trade date(s)\n`);
    for (const e of r.examples) io.stdout.write(`  trade ${e.tradeDate}: ${e.before} → ${e.after}\n`);
  }
  return 0;
}

export function rulesCommand(args: readonly string[], io: CliIo): number {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'validate':
      return validate(rest, io);
    case 'transition':
      return transition(rest, io);
    case 'diff':
      return diff(rest, io);
    default:
      throw new UsageError(`rules: unknown subcommand ${JSON.stringify(sub ?? '')} (validate, transition, diff)`);
  }
}
