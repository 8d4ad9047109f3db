/**
 * The compiled, explicit form of a ruleset: every holiday is a dated entry, every union is resolved.
 * This is what is hashed, signed, stored in SQLite and shipped to sidecars. Dates are `YYYY-MM-DD`.
 */

import type { SettlementTypeTerms } from './settlement-type.js';

export type CalendarKind = 'trading' | 'settlement';

export interface HolidayEntry {
  readonly date: string;
  readonly name: string;
  /** false only for closures that stop trading but not settlement (e.g. NYSE 2025-01-09). */
  readonly closesSettlement: boolean;
}

export interface CalendarDocument {
  readonly id: string;
  readonly name: string;
  readonly kind: CalendarKind;
  /** Weekend weekdays, 0 = Sunday ... 6 = Saturday, ascending. */
  readonly weekend: readonly number[];
  /** Inclusive covered range. */
  readonly from: string;
  readonly to: string;
  /** Sorted by date, one entry per date. */
  readonly holidays: readonly HolidayEntry[];
  /** Ids of the calendars this one is the union of (informational, already resolved). */
  readonly unionOf: readonly string[];
  readonly source: string;
}

export interface RuleDocument {
  readonly id: string;
  readonly name: string;
  readonly assetClass: string;
  readonly market: string;
  /** Inclusive effective trade-date range; `9999-12-31` = open-ended. */
  readonly from: string;
  readonly to: string;
  readonly cycleDays: number;
  readonly settlementCalendar: string;
  readonly tradingCalendar: string | null;
  readonly source: string;
  /** The instrument segment the rule is limited to; absent for the market default (absent keeps old hashes). */
  readonly segment?: string;
  /** Non-regular settlement types the rule defines; absent when none (absent keeps old hashes). */
  readonly settlementTypes?: readonly SettlementTypeTerms[];
}

export interface RulesetDocument {
  readonly calendars: readonly CalendarDocument[];
  readonly rules: readonly RuleDocument[];
}

/** A ruleset document with its identity: version (0 = not published) and sha256 content hash. */
export interface RulesetIdentity {
  readonly version: number;
  readonly hash: string;
}
