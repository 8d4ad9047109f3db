import type { CalendarKind } from '../domain/ruleset-document.js';
import type { HolidayDefinition } from '../domain/holiday-rules.js';

/** Where a definition was written, for problems that are found after parsing. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly path: string;
}

export interface AdhocSource {
  readonly date: string;
  readonly name: string;
  readonly reason: string;
  readonly closesSettlement: boolean;
  readonly at: SourceLocation;
}

export interface CalendarSource {
  readonly id: string;
  readonly name: string;
  readonly kind: CalendarKind;
  readonly weekend: readonly number[] | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly holidays: readonly HolidayDefinition[];
  readonly adhoc: readonly AdhocSource[];
  readonly union: readonly string[];
  readonly source: string;
  readonly at: SourceLocation;
}

export interface RuleSource {
  readonly id: string;
  readonly name: string;
  readonly assetClass: string;
  readonly market: string;
  readonly from: string;
  readonly to: string;
  readonly cycleDays: number;
  readonly settlementCalendar: string;
  readonly tradingCalendar: string | null;
  readonly source: string;
  readonly at: SourceLocation;
}
