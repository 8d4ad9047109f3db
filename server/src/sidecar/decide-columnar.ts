import { status } from '@grpc/grpc-js';
import { DecisionError, isDecisionError } from '@tplus/core';
import { dayFromYmdInt, dayToYmdInt, formatDay, INVALID_DAY, parseDay, type DayNumber } from '@tplus/core';
import { isAssetClass, isMarket } from '@tplus/core';
import type { Rule, Ruleset } from '@tplus/core';
import type { RulesetSnapshot } from '../store/index.js';
import { termsOf } from './decide-rows.js';
import { batchTooLarge } from './batch-too-large.js';
import { MAX_COLUMNAR_KEYS_WITH_TERMS } from './request-size.js';
import type { DecisionTally } from './decision-tally.js';
import { pickVersion } from './pick-version.js';
import { grpcStatusOf, INTERNAL_MESSAGE, INTERNAL_REASON } from '../rpc/index.js';
import type { ColumnarBatchRequest, ColumnarBatchResponse, InstrumentKey } from './wire-types.js';

const wellShaped = (k: InstrumentKey): boolean => isAssetClass(k.assetClass) && isMarket(k.market);

type Outcome = { readonly rule: Rule; readonly day: DayNumber } | DecisionError;

/**
 * The canonical path for an item the fast path would not answer: its exact error (or, should the fast
 * path ever be too cautious, its decision) comes from Ruleset.decide itself.
 */
function canonical(ruleset: Ruleset, i: number, ymd: number, keyIndex: number, keys: readonly InstrumentKey[], allow: boolean): Outcome {
  const day = dayFromYmdInt(ymd);
  if (day === INVALID_DAY) {
    return new DecisionError('INVALID_DATE', `trade_dates[${i}] ${ymd} is not a valid YYYYMMDD date`, {
      field: `trade_dates[${i}]`,
      value: String(ymd),
    });
  }
  const key = keys[keyIndex];
  if (key === undefined) {
    return new DecisionError('INVALID_ARGUMENT', `key_indexes[${i}] ${keyIndex} is out of range: the request has ${keys.length} keys`, {
      field: `key_indexes[${i}]`,
      value: String(keyIndex),
    });
  }
  try {
    const d = ruleset.decide(formatDay(day), key.assetClass, key.market, allow, termsOf(key));
    return { rule: d.rule, day: parseDay(d.settlementDate) };
  } catch (err) {
    if (isDecisionError(err)) return err;
    throw err;
  }
}

/** Settlement day by the precomputed calendars, or null when any check needs the canonical path. */
function fast(rules: readonly Rule[] | undefined, day: DayNumber, allow: boolean): Outcome | null {
  if (rules === undefined || day === INVALID_DAY) return null;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as Rule;
    if (day < rule.from || day > rule.to) continue;
    const trading = rule.tradingCalendar;
    if (trading !== null && !allow && (!trading.covers(day) || !trading.isBusinessDay(day))) return null;
    const cal = rule.settlementCalendar;
    if (!cal.covers(day)) return null;
    try {
      return { rule, day: cal.addBusinessDays(day, rule.cycleDays) };
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * A columnar batch against one snapshot and one ruleset version. Per item: settlement date as
 * YYYYMMDD, status code, rule index and cycle days; items in error are listed once with their code
 * and message. Same decisions and errors as Ruleset.decide, by construction for errors and by test
 * for decisions.
 */
export function decideColumnar(
  snapshot: RulesetSnapshot,
  req: ColumnarBatchRequest,
  maxItems: number,
  tally: DecisionTally,
  onInternalError: (err: unknown) => void,
): ColumnarBatchResponse {
  const n = req.tradeDates.length;
  if (n > maxItems) throw batchTooLarge('trade_dates', n, maxItems);
  if (req.keyIndexes.length !== n) {
    throw new DecisionError(
      'INVALID_ARGUMENT',
      `key_indexes has ${req.keyIndexes.length} entries but trade_dates has ${n}; they must have one entry per item`,
      { field: 'key_indexes', value: String(req.keyIndexes.length) },
    );
  }
  const ruleset = pickVersion(snapshot, req.rulesetVersion).ruleset;
  const allow = req.allowNonTradingDay === true;
  if (req.keys.length > maxItems) throw batchTooLarge('keys', req.keys.length, maxItems);
  const withTerms = req.keys.reduce((n, k) => (termsOf(k) === undefined ? n : n + 1), 0);
  if (withTerms > MAX_COLUMNAR_KEYS_WITH_TERMS) {
    throw batchTooLarge('keys with a settlement_type or segment', withTerms, MAX_COLUMNAR_KEYS_WITH_TERMS);
  }
  // A key of the wrong shape, or with a settlement type or segment, is never looked up here: its items take
  // the canonical path, which refuses them or applies the type and the segment precedence.
  const keyRules = req.keys.map((k) =>
    wellShaped(k) && termsOf(k) === undefined ? ruleset.defaultRulesFor(k.assetClass, k.market) : undefined,
  );
  const out: ColumnarBatchResponse = {
    settlementDates: new Array<number>(n),
    statusCodes: new Array<number>(n),
    rulesetVersion: ruleset.version,
    rulesetHash: ruleset.hash,
    errors: [],
    ruleIds: [],
    ruleIndexes: new Array<number>(n),
    cycleDays: new Array<number>(n),
  };
  const ruleIndex = new Map<Rule, number>();
  let internal = 0; // an unexpected failure is logged once per batch, not once per item
  for (let i = 0; i < n; i++) {
    const ymd = req.tradeDates[i] as number;
    const keyIndex = req.keyIndexes[i] as number;
    let outcome: Outcome;
    try {
      outcome = fast(keyRules[keyIndex], dayFromYmdInt(ymd), allow) ?? canonical(ruleset, i, ymd, keyIndex, req.keys, allow);
    } catch (err) {
      if (internal++ === 0) onInternalError(err);
      tally.error(INTERNAL_REASON);
      out.errors.push({ index: i, code: INTERNAL_REASON, message: INTERNAL_MESSAGE });
      out.settlementDates[i] = out.ruleIndexes[i] = out.cycleDays[i] = 0;
      out.statusCodes[i] = status.INTERNAL;
      continue;
    }
    if (outcome instanceof DecisionError) {
      tally.error(outcome.code);
      out.errors.push({ index: i, code: outcome.code, message: outcome.message });
      out.settlementDates[i] = out.ruleIndexes[i] = out.cycleDays[i] = 0;
      out.statusCodes[i] = grpcStatusOf(outcome.code);
      continue;
    }
    const rule = outcome.rule;
    let index = ruleIndex.get(rule);
    if (index === undefined) {
      index = out.ruleIds.push(rule.id) - 1;
      ruleIndex.set(rule, index);
    }
    tally.decision(rule);
    out.settlementDates[i] = dayToYmdInt(outcome.day);
    out.statusCodes[i] = status.OK;
    out.ruleIndexes[i] = index;
    out.cycleDays[i] = rule.cycleDays;
  }
  return out;
}
