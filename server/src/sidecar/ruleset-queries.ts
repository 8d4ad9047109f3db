import { DecisionError } from '@tplus/core';
import { INVALID_DAY, parseDay, type DayNumber } from '@tplus/core';
import { checkIdentifier } from '@tplus/core';
import { parseTradeDate, quoteValue } from '@tplus/core';
import type { RulesetSnapshot } from '../store/index.js';
import { pickVersion } from './pick-version.js';
import type { SyncState } from './ruleset-watchers.js';
import { ruleInfoMessage } from './to-wire.js';
import type {
  ListHolidaysRequest,
  ListHolidaysResponse,
  ListRulesRequest,
  ListRulesResponse,
  RuleInfoMessage,
  RulesetInfoMessage,
} from './wire-types.js';

const DAY_MS = 86_400_000;

/** GetRulesetInfo: the active version, its calendars' horizons as of `now`, every held version and the sync state. */
export function rulesetInfo(snapshot: RulesetSnapshot, now: Date, sync: SyncState): RulesetInfoMessage {
  const active = snapshot.active;
  const today: DayNumber = Math.floor(now.getTime() / DAY_MS);
  return {
    rulesetVersion: active.ruleset.version,
    rulesetHash: active.ruleset.hash,
    publishedAt: active.publishedAt,
    source: active.source,
    calendarHorizons: [...active.ruleset.calendars.values()].map((c) => ({
      calendarId: c.id,
      coveredFrom: c.fromText,
      lastCoveredDate: c.toText,
      horizonDays: c.to - today,
      kind: c.kind,
    })),
    ruleCount: active.ruleset.rules.length,
    heldVersions: [...snapshot.held.values()].map((h) => ({
      rulesetVersion: h.ruleset.version,
      rulesetHash: h.ruleset.hash,
      publishedAt: h.publishedAt,
      source: h.source,
      active: h === active,
    })),
    loadedAt: snapshot.loadedAt,
    lastActivatedVersion: snapshot.lastActivatedVersion,
    integrityWarning:
      active.ruleset.version < snapshot.lastActivatedVersion
        ? `serving version ${active.ruleset.version}, older than version ${snapshot.lastActivatedVersion} last activated: that version failed verification at rest and the registry has not delivered it again`
        : '',
    followingRegistry: sync.following,
    stalenessSeconds: sync.stalenessSeconds,
  };
}

/** ListRules: every rule of the version, optionally filtered by market and asset class. */
export function listRules(snapshot: RulesetSnapshot, req: ListRulesRequest): ListRulesResponse {
  if (req.market !== '') checkIdentifier(req.market, 'market');
  if (req.assetClass !== '') checkIdentifier(req.assetClass, 'asset_class');
  const ruleset = pickVersion(snapshot, req.rulesetVersion).ruleset;
  const rules: RuleInfoMessage[] = [];
  for (const r of ruleset.rules) {
    if ((req.market === '' || r.market === req.market) && (req.assetClass === '' || r.assetClass === req.assetClass)) {
      rules.push(ruleInfoMessage(r));
    }
  }
  return { rules, rulesetVersion: ruleset.version, rulesetHash: ruleset.hash };
}

function bound(text: string, field: string, fallback: DayNumber): DayNumber {
  return text === '' ? fallback : parseTradeDate(text, field);
}

/** ListHolidays: a calendar's named non-business days in [from, to], which must lie in its covered range. */
export function listHolidays(snapshot: RulesetSnapshot, req: ListHolidaysRequest): ListHolidaysResponse {
  checkIdentifier(req.calendarId, 'calendar_id');
  const ruleset = pickVersion(snapshot, req.rulesetVersion).ruleset;
  const cal = ruleset.calendars.get(req.calendarId);
  const doc = ruleset.document.calendars.find((c) => c.id === req.calendarId);
  if (cal === undefined || doc === undefined) {
    throw new DecisionError(
      'CALENDAR_NOT_FOUND',
      `calendar_id ${quoteValue(req.calendarId)} does not exist in ruleset version ${ruleset.version}`,
      {
        field: 'calendar_id',
        value: req.calendarId.slice(0, 64),
      },
    );
  }
  const from = bound(req.from, 'from', cal.from);
  const to = bound(req.to, 'to', cal.to);
  if (from > to) {
    throw new DecisionError('INVALID_ARGUMENT', `from ${req.from} is after to ${req.to}`, { field: 'from', value: req.from });
  }
  for (const [day, field, text] of [
    [from, 'from', req.from],
    [to, 'to', req.to],
  ] as const) {
    if (!cal.covers(day)) {
      throw new DecisionError(
        'CALENDAR_OUT_OF_RANGE',
        `${field} ${text} is outside calendar ${cal.id}, which covers ${cal.fromText}..${cal.toText}`,
        { field, value: text, calendar_id: cal.id, covered_from: cal.fromText, covered_to: cal.toText },
      );
    }
  }
  const holidays = doc.holidays
    .filter((h) => {
      const day = parseDay(h.date);
      return day !== INVALID_DAY && day >= from && day <= to;
    })
    .map((h) => ({ date: h.date, name: h.name, closesSettlement: h.closesSettlement }));
  return {
    calendarId: cal.id,
    holidays,
    coveredFrom: cal.fromText,
    coveredTo: cal.toText,
    rulesetVersion: ruleset.version,
    weekend: [...cal.weekend],
  };
}
