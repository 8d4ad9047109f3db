import { DecisionError } from '@tplus/core';
import { formatDay, weekdayOf, WEEKDAY_NAMES } from '@tplus/core';
import { parseTradeDate } from '@tplus/core';
import type { CliIo } from './cli-io.js';
import { loadRuleset } from './load-ruleset.js';
import { checkIdentifierFlags } from './check-identifier-flags.js';
import { parseFlags } from './parse-flags.js';
import { UsageError } from '../runtime/usage-error.js';

const FLAGS = {
  id: { type: 'string', required: true },
  from: { type: 'string', required: true },
  to: { type: 'string', required: true },
  json: { type: 'boolean' },
  rules: { type: 'string' },
} as const;

const MAX_DAYS = 366 * 50;

/** Business days and named holidays of one calendar in [from, to]. */
export function calendarCommand(args: readonly string[], io: CliIo): number {
  const flags = parseFlags(args, FLAGS, 'calendar');
  checkIdentifierFlags(flags, 'calendar');
  const ruleset = loadRuleset(flags.strings.get('rules') ?? io.defaultRulesDir, io);
  const id = flags.strings.get('id') ?? '';
  const cal = ruleset.calendars.get(id);
  if (!cal) {
    const known = [...ruleset.calendars.keys()].sort().join(', ');
    throw new DecisionError('CALENDAR_NOT_FOUND', `calendar ${JSON.stringify(id)} does not exist (known: ${known})`, { calendar_id: id });
  }
  const from = parseTradeDate(flags.strings.get('from') ?? '', 'from');
  const to = parseTradeDate(flags.strings.get('to') ?? '', 'to');
  if (to < from) throw new UsageError(`calendar: --to ${formatDay(to)} is before --from ${formatDay(from)}`);
  if (to - from > MAX_DAYS) throw new UsageError(`calendar: at most ${MAX_DAYS} days at a time`);
  cal.isBusinessDay(from, 'from');
  cal.isBusinessDay(to, 'to');
  const days = [];
  for (let day = from; day <= to; day++) {
    const reason = cal.nonBusinessReason(day);
    days.push({ date: formatDay(day), weekday: WEEKDAY_NAMES[weekdayOf(day)] ?? '', business: reason === null, holiday: reason?.kind === 'holiday' ? reason.name : null });
  }
  const business = days.filter((d) => d.business).length;
  const holidays = days.filter((d) => d.holiday !== null);
  if (flags.booleans.has('json')) {
    io.stdout.write(`${JSON.stringify({ calendar_id: cal.id, name: cal.name, covered_from: cal.fromText, covered_to: cal.toText, business_days: business, days })}\n`);
    return 0;
  }
  io.stdout.write(`${cal.id} (${cal.name}) ${formatDay(from)}..${formatDay(to)}: ${business} business days, ${holidays.length} holidays\n`);
  for (const d of days) {
    const what = d.business ? 'business day' : d.holiday !== null ? `holiday: ${d.holiday}` : 'weekend';
    io.stdout.write(`${d.date} ${d.weekday} ${what}\n`);
  }
  return 0;
}
