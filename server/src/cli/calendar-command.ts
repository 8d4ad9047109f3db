import { DecisionError } from '@tplus/core';
import { formatDay, weekdayOf, WEEKDAY_NAMES } from '@tplus/core';
import { parseTradeDate } from '@tplus/core';
import type { CliIo } from './cli-io.js';
import { loadRuleset } from './load-ruleset.js';
import { cliCommand } from './cli-command.js';
import { FLAG } from './common-flags.js';
import type { CommandSpec } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';

export const CALENDAR_SPEC: CommandSpec = {
  name: 'calendar',
  synopsis: ['--id ID --from YYYY-MM-DD --to YYYY-MM-DD [--json] [--rules DIR]'],
  about: 'Lists the business days and named holidays of one calendar.',
  flags: [
    FLAG.calendarId,
    { name: 'from', type: 'string', value: 'YYYY-MM-DD', help: 'first day', required: true },
    { name: 'to', type: 'string', value: 'YYYY-MM-DD', help: 'last day (at most 50 years after --from)', required: true },
    FLAG.json,
    FLAG.rules,
  ],
};

const MAX_DAYS = 366 * 50;

/** Business days and named holidays of one calendar in [from, to]. */
export const calendarCommand = cliCommand(CALENDAR_SPEC, (flags, io: CliIo) => {
  const ruleset = loadRuleset(flags.get('rules') ?? io.defaultRulesDir, io);
  const id = flags.get('id') ?? '';
  const cal = ruleset.calendars.get(id);
  if (!cal) {
    const known = [...ruleset.calendars.keys()].sort().join(', ');
    throw new DecisionError('CALENDAR_NOT_FOUND', `calendar ${JSON.stringify(id)} does not exist (known: ${known})`, { calendar_id: id });
  }
  const from = parseTradeDate(flags.get('from') ?? '', 'from');
  const to = parseTradeDate(flags.get('to') ?? '', 'to');
  if (to < from) throw new UsageError(`calendar: --to ${formatDay(to)} is before --from ${formatDay(from)}`);
  if (to - from > MAX_DAYS) throw new UsageError(`calendar: at most ${MAX_DAYS} days at a time`);
  cal.isBusinessDay(from, 'from');
  cal.isBusinessDay(to, 'to');
  const days = [];
  for (let day = from; day <= to; day++) {
    const reason = cal.nonBusinessReason(day);
    days.push({
      date: formatDay(day),
      weekday: WEEKDAY_NAMES[weekdayOf(day)] ?? '',
      business: reason === null,
      holiday: reason?.kind === 'holiday' ? reason.name : null,
    });
  }
  const business = days.filter((d) => d.business).length;
  const holidays = days.filter((d) => d.holiday !== null);
  if (flags.on('json')) {
    io.stdout.write(
      `${JSON.stringify({ calendar_id: cal.id, name: cal.name, covered_from: cal.fromText, covered_to: cal.toText, business_days: business, days })}\n`,
    );
    return 0;
  }
  io.stdout.write(`${cal.id} (${cal.name}) ${formatDay(from)}..${formatDay(to)}: ${business} business days, ${holidays.length} holidays\n`);
  for (const d of days) {
    const what = d.business ? 'business day' : d.holiday !== null ? `holiday: ${d.holiday}` : 'weekend';
    io.stdout.write(`${d.date} ${d.weekday} ${what}\n`);
  }
  return 0;
});
