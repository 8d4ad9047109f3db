import type { CalendarKind, RuleDocument } from '@tplus/core';
import type { HolidayDefinition } from '@tplus/core';

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

/** A rule as written, with where it was written. */
export interface RuleSource extends RuleDocument {
  readonly at: SourceLocation;
}
