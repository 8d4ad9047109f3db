import type { YAMLMap } from 'yaml';
import { SETTLEMENT_TYPES, type NonRegularType, type SettlementTypeTerms } from '@tplus/core';
import type { YamlReader } from './yaml-reader.js';

const TYPES = SETTLEMENT_TYPES.filter((t): t is NonRegularType => t !== 'REGULAR');

/** Which fields each type takes: `days` (fixed cycle), `min_days` (seller's option), `max_calendar_days`. */
const FIELDS: Readonly<Record<NonRegularType, readonly string[]>> = {
  CASH: ['days'],
  NEXT_DAY: ['days'],
  SELLERS_OPTION: ['min_days', 'max_calendar_days'],
  WHEN_ISSUED: ['max_calendar_days'],
};

function readOne(r: YamlReader, node: unknown, path: string, seen: Set<string>): SettlementTypeTerms | null {
  const map = r.map(node, path, ['type', 'days', 'min_days', 'max_calendar_days', 'source']);
  if (!map) return null;
  const type = r.string(map, 'type', path);
  const source = r.string(map, 'source', path);
  if (type === null) return null;
  if (!(TYPES as readonly string[]).includes(type)) {
    r.error(r.node(map, 'type'), `${path}.type`, `"${type}" is not one of ${TYPES.join(', ')} (REGULAR is the rule itself)`);
    return null;
  }
  const t = type as NonRegularType;
  if (seen.has(t)) r.error(r.node(map, 'type'), `${path}.type`, `${t} is defined twice for this rule`);
  seen.add(t);
  for (const key of ['days', 'min_days', 'max_calendar_days']) {
    if (r.has(map, key) && !FIELDS[t].includes(key)) r.error(r.node(map, key), `${path}.${key}`, `${key} does not apply to ${t}`);
  }
  const days = FIELDS[t].includes('days') ? r.integer(map, 'days', path, 0, 30) : null;
  const minDays = FIELDS[t].includes('min_days') ? r.integer(map, 'min_days', path, 0, 30) : null;
  const maxCalendarDays = FIELDS[t].includes('max_calendar_days') ? r.integer(map, 'max_calendar_days', path, 0, 3660, false) : null;
  if (source === null || (FIELDS[t].includes('days') && days === null) || (FIELDS[t].includes('min_days') && minDays === null)) return null;
  if (minDays !== null && maxCalendarDays !== null && maxCalendarDays < minDays) {
    r.error(map, path, `max_calendar_days ${maxCalendarDays} is less than min_days ${minDays}`);
    return null;
  }
  return { type: t, days, minDays, maxCalendarDays, source };
}

/** A rule's `settlement_types:` list (absent → none), sorted by type so the document has one order. */
export function readSettlementTypes(r: YamlReader, map: YAMLMap, path: string): SettlementTypeTerms[] | null {
  if (!r.has(map, 'settlement_types')) return null;
  const seen = new Set<string>();
  const list = r
    .seq(map, 'settlement_types', path)
    .map((i) => readOne(r, i.node, i.path, seen))
    .filter((t): t is SettlementTypeTerms => t !== null);
  return list.sort((a, b) => TYPES.indexOf(a.type) - TYPES.indexOf(b.type));
}
