import { checkRuleHistories } from '@tplus/core';
import { formatDay, parseDay, weekdayOf, ymdFromDay, type DayNumber } from '@tplus/core';
import { compileHolidays } from '@tplus/core';
import type { CalendarDocument, HolidayEntry, RuleDocument, RulesetDocument } from '@tplus/core';
import type { PackProblem } from './pack-problem.js';
import type { CalendarSource, RuleSource, SourceLocation } from './pack-source.js';
import { readPackFiles, type PackSources } from './read-pack-files.js';
import { rulesetHash } from '@tplus/core';

export interface CompiledPack {
  /** Present only when there is no error (warnings allowed). */
  readonly document: RulesetDocument | null;
  readonly hash: string | null;
  readonly problems: readonly PackProblem[];
  readonly files: readonly string[];
  /** The pack's own version (`pack: { version: N }`), null when it declares none. Not part of the document or its hash. */
  readonly version: number | null;
}

export interface CompileOptions {
  /** "Today", for horizon warnings; passed in, never read from a clock here. */
  readonly today: DayNumber;
  /** Calendars ending within this many days of today are warned about. */
  readonly horizonWarningDays?: number;
}

function problemAt(at: SourceLocation, message: string, severity: 'error' | 'warning' = 'error'): PackProblem {
  return { severity, file: at.file, line: at.line, path: at.path, message };
}

function resolveCalendars(sources: readonly CalendarSource[], problems: PackProblem[]): Map<string, CalendarDocument> {
  const byId = new Map<string, CalendarSource>();
  for (const s of sources) {
    const dup = byId.get(s.id);
    if (dup) problems.push(problemAt(s.at, `calendar id ${s.id} is also defined at ${dup.at.file}:${dup.at.line}`));
    else byId.set(s.id, s);
  }
  const done = new Map<string, CalendarDocument>();
  const visiting = new Set<string>();
  const resolve = (s: CalendarSource): CalendarDocument | null => {
    const ready = done.get(s.id);
    if (ready) return ready;
    if (visiting.has(s.id)) {
      problems.push(problemAt(s.at, `calendar ${s.id} is part of a union cycle`));
      return null;
    }
    visiting.add(s.id);
    const holidays = new Map<DayNumber, HolidayEntry>();
    const add = (day: DayNumber, name: string, closesSettlement: boolean): void => {
      const prev = holidays.get(day);
      const merged = prev && !prev.name.split('; ').includes(name) ? `${prev.name}; ${name}` : (prev?.name ?? name);
      holidays.set(day, { date: formatDay(day), name: merged, closesSettlement: (prev?.closesSettlement ?? false) || closesSettlement });
    };
    const weekend = new Set<number>(s.weekend ?? []);
    let from = s.from === null ? null : parseDay(s.from);
    let to = s.to === null ? null : parseDay(s.to);
    for (const memberId of s.union) {
      const member = byId.get(memberId);
      const doc = member ? resolve(member) : null;
      if (!member) problems.push(problemAt(s.at, `union member calendar ${memberId} does not exist`));
      if (!doc) continue;
      for (const wd of doc.weekend) weekend.add(wd);
      const mFrom = parseDay(doc.from);
      const mTo = parseDay(doc.to);
      if (s.from === null) from = from === null ? mFrom : Math.max(from, mFrom);
      else if (parseDay(s.from) < mFrom) problems.push(problemAt(s.at, `covers.from ${s.from} is before member ${memberId}'s ${doc.from}`));
      if (s.to === null) to = to === null ? mTo : Math.min(to, mTo);
      else if (parseDay(s.to) > mTo) problems.push(problemAt(s.at, `covers.to ${s.to} is after member ${memberId}'s ${doc.to}`));
      // A settlement union takes only the closures that also close settlement (not e.g. NYSE 2025-01-09).
      for (const h of doc.holidays) {
        if (s.kind === 'settlement' && !h.closesSettlement) continue;
        add(parseDay(h.date), `${h.name} (${memberId})`, true);
      }
    }
    visiting.delete(s.id);
    if (from === null || to === null) return null;
    const wk = [...weekend].sort((a, b) => a - b);
    const firstYear = ymdFromDay(from).year - 1;
    const lastYear = ymdFromDay(to).year + 1;
    for (const h of compileHolidays(s.holidays, firstYear, lastYear, wk)) add(h.day, h.name, h.closesSettlement);
    for (const a of s.adhoc) {
      const day = parseDay(a.date);
      if (day < from || day > to) problems.push(problemAt(a.at, `ad-hoc date ${a.date} is outside the covered range`));
      else if (wk.includes(weekdayOf(day))) problems.push(problemAt(a.at, `ad-hoc date ${a.date} is a weekend day`, 'warning'));
      add(day, a.name, a.closesSettlement);
    }
    const list = [...holidays.entries()]
      .filter(([day]) => day >= from && day <= to)
      .sort(([a], [b]) => a - b)
      .map(([, h]) => h);
    const doc: CalendarDocument = {
      id: s.id,
      name: s.name,
      kind: s.kind,
      weekend: wk,
      from: formatDay(from),
      to: formatDay(to),
      holidays: list,
      unionOf: [...s.union],
      source: s.source,
    };
    done.set(s.id, doc);
    return doc;
  };
  for (const s of byId.values()) resolve(s);
  return done;
}

function checkRules(
  rules: readonly RuleSource[],
  calendars: ReadonlyMap<string, CalendarDocument>,
  options: CompileOptions,
  problems: PackProblem[],
): void {
  const seen = new Map<string, RuleSource>();
  for (const rule of rules) {
    const dup = seen.get(rule.id);
    if (dup) problems.push(problemAt(rule.at, `rule id ${rule.id} is also defined at ${dup.at.file}:${dup.at.line}`));
    seen.set(rule.id, rule);
    const from = parseDay(rule.from);
    const to = parseDay(rule.to);
    const open = rule.to === '9999-12-31';
    for (const [field, id] of [
      ['settlement_calendar', rule.settlementCalendar],
      ['trading_calendar', rule.tradingCalendar],
    ] as const) {
      if (id === null) continue;
      const cal = calendars.get(id);
      if (!cal) {
        problems.push(problemAt(rule.at, `${field} ${id} does not exist`));
        continue;
      }
      if (from < parseDay(cal.from)) {
        problems.push(problemAt(rule.at, `rule ${rule.id} starts ${rule.from}, before ${field} ${id} covers (from ${cal.from})`));
      }
      const calTo = parseDay(cal.to);
      if (!open && to > calTo) {
        problems.push(problemAt(rule.at, `rule ${rule.id} ends ${rule.to}, after ${field} ${id} stops covering (${cal.to})`));
      } else if (calTo - options.today < (options.horizonWarningDays ?? 365)) {
        problems.push(
          problemAt(
            rule.at,
            `${field} ${id} covers only until ${cal.to}, within ${options.horizonWarningDays ?? 365} days of today`,
            'warning',
          ),
        );
      }
    }
  }
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const p of checkRuleHistories(rules.map(toRuleDocument))) {
    const first = byId.get(p.ruleIds[0] ?? '');
    const second = byId.get(p.ruleIds[1] ?? '');
    const where = second ? ` (${second.id} at ${second.at.file}:${second.at.line})` : '';
    if (first) problems.push(problemAt(first.at, `${p.message}${where}`));
  }
}

function toRuleDocument(r: RuleSource): RuleDocument {
  return {
    id: r.id,
    name: r.name,
    assetClass: r.assetClass,
    market: r.market,
    from: r.from,
    to: r.to,
    cycleDays: r.cycleDays,
    settlementCalendar: r.settlementCalendar,
    tradingCalendar: r.tradingCalendar,
    source: r.source,
    ...(r.segment === undefined ? {} : { segment: r.segment }),
    ...(r.settlementTypes === undefined ? {} : { settlementTypes: r.settlementTypes }),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compileSources(sources: PackSources, options: CompileOptions): CompiledPack {
  const problems = [...sources.problems];
  const calendars = resolveCalendars(sources.calendars, problems);
  checkRules(sources.rules, calendars, options, problems);
  if (problems.some((p) => p.severity === 'error'))
    return { document: null, hash: null, problems, files: sources.files, version: sources.version?.version ?? null };
  const document: RulesetDocument = {
    calendars: [...calendars.values()].sort((a, b) => compareText(a.id, b.id)),
    rules: sources.rules
      .map(toRuleDocument)
      .sort(
        (a, b) =>
          compareText(a.market, b.market) ||
          compareText(a.assetClass, b.assetClass) ||
          compareText(a.segment ?? '', b.segment ?? '') ||
          compareText(a.from, b.from),
      ),
  };
  return { document, hash: rulesetHash(document), problems, files: sources.files, version: sources.version?.version ?? null };
}

/** Reads, validates and compiles the rule pack in `dir`. Any error → no document, every problem listed. */
export function compilePack(dir: string, options: CompileOptions): CompiledPack {
  return compileSources(readPackFiles(dir), options);
}
