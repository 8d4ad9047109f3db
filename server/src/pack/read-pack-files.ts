import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { isValidDateText, weekdayFromName } from '@tplus/core';
import { IDENTIFIER_SHAPES } from '@tplus/core';
import { OBSERVANCES, type HolidayDefinition, type HolidayRule, type Observance } from '@tplus/core';
import type { PackProblem } from './pack-problem.js';
import { readPackVersion, type DeclaredVersion } from './pack-version.js';
import type { AdhocSource, CalendarSource, RuleSource } from './pack-source.js';
import { readSettlementTypes } from './read-settlement-types.js';
import { YamlReader } from './yaml-reader.js';

export interface PackSources {
  readonly calendars: CalendarSource[];
  readonly rules: RuleSource[];
  readonly problems: PackProblem[];
  readonly files: string[];
  /** `pack: { version: N }`, when one file declares it. */
  readonly version: DeclaredVersion | null;
}

const MIC = IDENTIFIER_SHAPES.market.pattern;
const IDENT = IDENTIFIER_SHAPES.calendar_id.pattern;
const ASSET = IDENTIFIER_SHAPES.asset_class.pattern;
const SEGMENT = IDENTIFIER_SHAPES.segment.pattern;

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listYaml(full));
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(full);
  }
  return out;
}

function date(r: YamlReader, map: YAMLMap, key: string, path: string, required = true): string | null {
  const text = r.string(map, key, path, required);
  if (text === null) return null;
  if (!isValidDateText(text)) {
    r.error(r.node(map, key), `${path}.${key}`, `invalid date "${text}" (expected a real YYYY-MM-DD date)`);
    return null;
  }
  return text;
}

function weekday(r: YamlReader, map: YAMLMap, path: string): number | null {
  const text = r.string(map, 'weekday', path);
  if (text === null) return null;
  const wd = weekdayFromName(text);
  if (wd < 0) r.error(r.node(map, 'weekday'), `${path}.weekday`, `"${text}" is not one of SUN MON TUE WED THU FRI SAT`);
  return wd < 0 ? null : wd;
}

const RULE_KINDS = ['fixed', 'nth_weekday', 'weekday_on_or_before', 'easter'] as const;

function holidayRule(r: YamlReader, map: YAMLMap, path: string): HolidayRule | null {
  const kinds = RULE_KINDS.filter((k) => r.has(map, k));
  if (kinds.length !== 1) {
    r.error(map, path, `exactly one of ${RULE_KINDS.join(', ')} is required`);
    return null;
  }
  const kind = kinds[0] as (typeof RULE_KINDS)[number];
  const p = `${path}.${kind}`;
  if (kind === 'easter') {
    const m = r.map(r.node(map, kind), p, ['offset']);
    const offset = m && r.integer(m, 'offset', p, -60, 60);
    return offset === null || offset === undefined ? null : { type: 'easter', offset };
  }
  if (kind === 'fixed') {
    const m = r.map(r.node(map, kind), p, ['month', 'day', 'observance']);
    if (!m) return null;
    const month = r.integer(m, 'month', p, 1, 12);
    const day = r.integer(m, 'day', p, 1, 31);
    const obs = r.string(m, 'observance', p);
    if (obs !== null && !(OBSERVANCES as readonly string[]).includes(obs)) {
      r.error(r.node(m, 'observance'), `${p}.observance`, `"${obs}" is not one of ${OBSERVANCES.join(', ')}`);
      return null;
    }
    if (month === null || day === null || obs === null) return null;
    if (!isValidDateText(`2000-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`)) {
      r.error(m, p, `month ${month} has no day ${day}`);
      return null;
    }
    return { type: 'fixed', month, day, observance: obs as Observance };
  }
  if (kind === 'nth_weekday') {
    const m = r.map(r.node(map, kind), p, ['month', 'weekday', 'n']);
    if (!m) return null;
    const month = r.integer(m, 'month', p, 1, 12);
    const wd = weekday(r, m, p);
    const n = r.integer(m, 'n', p, -1, 5);
    if (n === 0) r.error(r.node(m, 'n'), `${p}.n`, 'n must be 1..5, or -1 for the last');
    if (month === null || wd === null || n === null || n === 0) return null;
    return { type: 'nth_weekday', month, weekday: wd, n };
  }
  const m = r.map(r.node(map, kind), p, ['month', 'day', 'weekday']);
  if (!m) return null;
  const month = r.integer(m, 'month', p, 1, 12);
  const day = r.integer(m, 'day', p, 1, 31);
  const wd = weekday(r, m, p);
  if (month === null || day === null || wd === null) return null;
  return { type: 'weekday_on_or_before', month, day, weekday: wd };
}

function readHoliday(r: YamlReader, node: unknown, path: string): HolidayDefinition | null {
  const map = r.map(node, path, ['name', ...RULE_KINDS, 'from_year', 'to_year', 'except_years', 'closes_settlement', 'source']);
  if (!map) return null;
  const name = r.string(map, 'name', path);
  const rule = holidayRule(r, map, path);
  const fromYear = r.integer(map, 'from_year', path, 1, 9999, false);
  const toYear = r.integer(map, 'to_year', path, 1, 9999, false);
  const exceptYears = r
    .seq(map, 'except_years', path)
    .map((i) => r.scalarInteger(i.node, i.path))
    .filter((y): y is number => y !== null);
  const closesSettlement = r.boolean(map, 'closes_settlement', path, true) ?? true;
  r.string(map, 'source', path, false);
  if (name === null || rule === null) return null;
  return { name, rule, fromYear, toYear, exceptYears, closesSettlement };
}

function readAdhoc(r: YamlReader, node: unknown, path: string): AdhocSource | null {
  const map = r.map(node, path, ['date', 'name', 'reason', 'closes_settlement']);
  if (!map) return null;
  const d = date(r, map, 'date', path);
  const name = r.string(map, 'name', path);
  const reason = r.string(map, 'reason', path);
  const closesSettlement = r.boolean(map, 'closes_settlement', path, null);
  if (d === null || name === null || reason === null || closesSettlement === null) return null;
  return { date: d, name, reason, closesSettlement, at: { file: r.file, line: r.lineOf(map), path } };
}

function readCalendar(r: YamlReader, node: unknown, path: string): CalendarSource | null {
  const map = r.map(node, path, ['id', 'name', 'kind', 'weekend', 'covers', 'holidays', 'adhoc', 'union', 'source']);
  if (!map) return null;
  const id = r.string(map, 'id', path);
  if (id !== null && !IDENT.test(id)) r.error(r.node(map, 'id'), `${path}.id`, `"${id}" is not a valid calendar id`);
  const name = r.string(map, 'name', path);
  const kind = r.string(map, 'kind', path);
  if (kind !== null && kind !== 'trading' && kind !== 'settlement') {
    r.error(r.node(map, 'kind'), `${path}.kind`, `"${kind}" must be trading or settlement`);
  }
  const source = r.string(map, 'source', path);
  const union = r
    .seq(map, 'union', path)
    .map((i) => r.scalarString(i.node, i.path))
    .filter((s): s is string => s !== null);
  let weekend: number[] | null = null;
  if (r.has(map, 'weekend')) {
    weekend = [];
    for (const item of r.seq(map, 'weekend', path)) {
      const text = r.scalarString(item.node, item.path);
      const wd = text === null ? -1 : weekdayFromName(text);
      if (text !== null && wd < 0) r.error(null, item.path, `"${text}" is not a weekday name`);
      if (wd >= 0) weekend.push(wd);
    }
    weekend.sort((a, b) => a - b);
  } else if (union.length === 0) {
    r.error(map, `${path}.weekend`, 'required field is missing');
  }
  let from: string | null = null;
  let to: string | null = null;
  const coversNode = r.node(map, 'covers');
  if (coversNode !== null) {
    const covers = r.map(coversNode, `${path}.covers`, ['from', 'to']);
    if (covers) {
      from = date(r, covers, 'from', `${path}.covers`);
      to = date(r, covers, 'to', `${path}.covers`);
      if (from !== null && to !== null && from > to) r.error(covers, `${path}.covers`, `from ${from} is after to ${to}`);
    }
  } else if (union.length === 0) {
    r.error(map, `${path}.covers`, 'required field is missing');
  }
  const holidays = r
    .seq(map, 'holidays', path)
    .map((i) => readHoliday(r, i.node, i.path))
    .filter((h): h is HolidayDefinition => h !== null);
  const adhoc = r
    .seq(map, 'adhoc', path)
    .map((i) => readAdhoc(r, i.node, i.path))
    .filter((a): a is AdhocSource => a !== null);
  if (id === null || name === null || (kind !== 'trading' && kind !== 'settlement') || source === null) return null;
  return { id, name, kind, weekend, from, to, holidays, adhoc, union, source, at: { file: r.file, line: r.lineOf(map), path } };
}

function readRule(r: YamlReader, node: unknown, path: string): RuleSource | null {
  const map = r.map(node, path, [
    'id',
    'name',
    'asset_class',
    'market',
    'effective',
    'cycle_days',
    'settlement_calendar',
    'trading_calendar',
    'source',
    'segment',
    'settlement_types',
  ]);
  if (!map) return null;
  const id = r.string(map, 'id', path);
  if (id !== null && !IDENT.test(id)) r.error(r.node(map, 'id'), `${path}.id`, `"${id}" is not a valid rule id`);
  const name = r.string(map, 'name', path);
  const assetClass = r.string(map, 'asset_class', path);
  if (assetClass !== null && !ASSET.test(assetClass)) {
    r.error(r.node(map, 'asset_class'), `${path}.asset_class`, `"${assetClass}" must be upper-case letters, digits, _`);
  }
  const market = r.string(map, 'market', path);
  if (market !== null && !MIC.test(market)) {
    r.error(r.node(map, 'market'), `${path}.market`, `"${market}" is not an ISO 10383 MIC (4 upper-case characters)`);
  }
  let from: string | null = null;
  let to: string | null = null;
  const eff = r.map(r.node(map, 'effective'), `${path}.effective`, ['from', 'to']);
  if (eff) {
    from = date(r, eff, 'from', `${path}.effective`);
    to = date(r, eff, 'to', `${path}.effective`);
    if (from !== null && to !== null && from > to) r.error(eff, `${path}.effective`, `from ${from} is after to ${to}`);
  }
  const cycleDays = r.integer(map, 'cycle_days', path, 0, 30);
  const settlementCalendar = r.string(map, 'settlement_calendar', path);
  const tradingCalendar = r.string(map, 'trading_calendar', path, false);
  const source = r.string(map, 'source', path);
  const segment = r.string(map, 'segment', path, false);
  if (segment !== null && !SEGMENT.test(segment)) {
    r.error(r.node(map, 'segment'), `${path}.segment`, `"${segment}" is not ${IDENTIFIER_SHAPES.segment.text}`);
  }
  const settlementTypes = readSettlementTypes(r, map, path);
  if (
    id === null ||
    name === null ||
    assetClass === null ||
    market === null ||
    from === null ||
    to === null ||
    cycleDays === null ||
    settlementCalendar === null ||
    source === null ||
    from > to
  ) {
    return null;
  }
  return {
    id,
    name,
    assetClass,
    market,
    from,
    to,
    cycleDays,
    settlementCalendar,
    tradingCalendar,
    source,
    ...(segment === null ? {} : { segment }),
    ...(settlementTypes === null ? {} : { settlementTypes }),
    at: { file: r.file, line: r.lineOf(map), path },
  };
}

/** Parses every *.yaml file under `dir` (sorted, recursive). Each may hold `calendars:` and/or `rules:`; one may hold `pack:`. */
export function readPackFiles(dir: string): PackSources {
  const problems: PackProblem[] = [];
  const calendars: CalendarSource[] = [];
  const rules: RuleSource[] = [];
  const files = listYaml(dir);
  let version: DeclaredVersion | null = null;
  if (files.length === 0) problems.push({ severity: 'error', file: dir, line: 1, path: '', message: 'no *.yaml files found' });
  for (const full of files) {
    const rel = relative(process.cwd(), full);
    const file = rel === '' || rel.startsWith('..') ? full : rel;
    const lines = new LineCounter();
    const doc = parseDocument(readFileSync(full, 'utf8'), { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const r = new YamlReader(file, lines, problems);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        problems.push({
          severity: 'error',
          file,
          line: lines.linePos(e.pos[0]).line,
          path: '',
          message: e.message.split('\n')[0] ?? e.message,
        });
      }
      continue;
    }
    const top = r.map(doc.contents, '', ['description', 'calendars', 'rules', 'pack']);
    if (!top) continue;
    version = readPackVersion(r, top, version);
    for (const item of r.seq(top, 'calendars', '')) {
      const cal = readCalendar(r, item.node, item.path.replace(/^\./, ''));
      if (cal) calendars.push(cal);
    }
    for (const item of r.seq(top, 'rules', '')) {
      const rule = readRule(r, item.node, item.path.replace(/^\./, ''));
      if (rule) rules.push(rule);
    }
  }
  return { calendars, rules, problems, files, version };
}
