import { DecisionError } from './decision-error.js';
import { formatDay, parseDay, weekdayOf, type DayNumber } from './date.js';
import type { CalendarDocument, CalendarKind } from './ruleset-document.js';

/** Why a day is not a business day: a weekend or a named holiday. */
export interface NonBusinessReason {
  readonly kind: 'weekend' | 'holiday';
  readonly name: string;
}

/**
 * A business-day calendar over an explicit covered range, precomputed (on first use) so that every question is O(1):
 * `rank[i + 1]` counts business days in [from, from + i] (`rank[0]` is 0, so day i is a business day exactly
 * when `rank[i + 1] !== rank[i]`, with no edge case); `businessDays` lists them in order.
 */
const NOT_BUILT = new Int32Array(0);
/** Until a calendar's first text() call its formatted dates are this shared empty list (most are never asked). */
const NO_TEXTS: string[] = [];

export class Calendar {
  readonly id: string;
  readonly name: string;
  readonly kind: CalendarKind;
  readonly from: DayNumber;
  readonly to: DayNumber;
  readonly fromText: string;
  readonly toText: string;
  readonly weekend: readonly number[];
  readonly unionOf: readonly string[];
  readonly source: string;
  private readonly holidayNames: ReadonlyMap<DayNumber, string>;
  /**
   * Built on first use (`tables()`): 90 KiB per calendar over 2000–2035, and a sidecar serves the few markets
   * its host trades while the pack carries 27 calendars (2.3 MiB of tables, measured, in an idle sidecar).
   * Until then both are one shared empty array, so the fields keep a single type for the request path.
   */
  private rank: Int32Array = NOT_BUILT;
  private businessDays: Int32Array = NOT_BUILT;
  private built = false;
  /** Formatted dates, allocated on the first `text()` call: most calendars of a pack are never asked. */
  private texts: string[] = NO_TEXTS;

  constructor(doc: CalendarDocument) {
    this.id = doc.id;
    this.name = doc.name;
    this.kind = doc.kind;
    this.from = parseDay(doc.from);
    this.to = parseDay(doc.to);
    this.fromText = doc.from;
    this.toText = doc.to;
    this.weekend = [...doc.weekend];
    this.unionOf = [...doc.unionOf];
    this.source = doc.source;
    const names = new Map<DayNumber, string>();
    for (const h of doc.holidays) names.set(parseDay(h.date), h.name);
    this.holidayNames = names;
  }

  /** Whether the lookup tables exist yet (they are built by the first question that needs them). */
  get tablesBuilt(): boolean {
    return this.built;
  }

  /** Builds the lookup tables now, if not yet built: for a caller that wants the cost paid off the request path. */
  buildTables(): void {
    if (!this.built) this.build();
  }

  /** Builds the rank tables (once) and answers `rank`. Typed arrays keep them off the JS heap, and no temporary list is made. */
  private build(): Int32Array {
    const span = this.to - this.from + 1;
    const rank = new Int32Array(span + 1);
    let count = 0;
    for (let i = 0; i < span; i++) {
      const day = this.from + i;
      if (!this.holidayNames.has(day) && !this.weekend.includes(weekdayOf(day))) count++;
      rank[i + 1] = count;
    }
    const businessDays = new Int32Array(count);
    for (let i = 0, k = 0; i < span; i++) if (rank[i + 1] !== rank[i]) businessDays[k++] = this.from + i;
    this.rank = rank;
    this.businessDays = businessDays;
    this.built = true;
    return rank;
  }

  covers(day: DayNumber): boolean {
    return day >= this.from && day <= this.to;
  }

  private outOfRange(day: DayNumber, field: string): DecisionError {
    const text = formatDay(day);
    return new DecisionError(
      'CALENDAR_OUT_OF_RANGE',
      `${field} ${text} is outside calendar ${this.id}, which covers ${this.fromText}..${this.toText}`,
      { field, value: text, calendar_id: this.id, covered_from: this.fromText, covered_to: this.toText },
    );
  }

  // The request path's methods (isBusinessDay, addBusinessDays, text) are kept short, their refusals
  // built elsewhere, so that V8 can inline them into decide() (measured with callgrind in the types bench's
  // interleaved mix: calls to these three were 217 of 1,937 instructions per typed request when V8's
  // inlining budget left them out).
  isBusinessDay(day: DayNumber, field = 'date'): boolean {
    const i = day - this.from;
    if (i < 0 || day > this.to) throw this.outOfRange(day, field);
    const rank = this.built ? this.rank : this.build();
    return rank[i + 1] !== rank[i];
  }

  /** Why `day` is not a business day, or null when it is one. */
  nonBusinessReason(day: DayNumber): NonBusinessReason | null {
    const holiday = this.holidayNames.get(day);
    if (holiday !== undefined) return { kind: 'holiday', name: holiday };
    if (this.weekend.includes(weekdayOf(day))) return { kind: 'weekend', name: 'weekend' };
    return null;
  }

  holidayName(day: DayNumber): string | undefined {
    return this.holidayNames.get(day);
  }

  /**
   * The `n`-th business day strictly after `day` (n >= 1); for n = 0, `day` itself when it is a
   * business day, else the next business day. Throws CALENDAR_OUT_OF_RANGE past the covered range.
   */
  addBusinessDays(day: DayNumber, n: number): DayNumber {
    const i = day - this.from;
    if (i < 0 || day > this.to) throw this.outOfRange(day, 'trade_date');
    const rank = this.built ? this.rank : this.build();
    // `day` is business day number `through` when it is one. n = 0 asks for `day` itself then (index
    // through - 1), else for the next business day (index through).
    const through = rank[i + 1] as number;
    const result = this.businessDays[n !== 0 ? through + n - 1 : through - (through !== rank[i] ? 1 : 0)];
    if (result === undefined) throw this.outOfRange(this.to + 1, 'settlement_date');
    return result;
  }

  /** Number of business days in (a, b]; both must be covered. */
  businessDaysBetween(a: DayNumber, b: DayNumber): number {
    if (!this.covers(a)) throw this.outOfRange(a, 'from');
    if (!this.covers(b)) throw this.outOfRange(b, 'to');
    if (!this.built) this.build();
    return (this.rank[b - this.from + 1] as number) - (this.rank[a - this.from + 1] as number);
  }

  /** `YYYY-MM-DD` of a covered day, formatted at most once per day. */
  text(day: DayNumber): string {
    // Small enough that V8 always inlines it: formatting and the list's allocation are in format().
    return this.texts[day - this.from] ?? this.format(day);
  }

  private format(day: DayNumber): string {
    if (this.texts === NO_TEXTS) this.texts = new Array<string>(this.to - this.from + 1);
    return (this.texts[day - this.from] = formatDay(day));
  }

  /** Holidays (not weekends) in [from, to], clamped to the covered range. */
  holidaysIn(from: DayNumber, to: DayNumber): { day: DayNumber; name: string }[] {
    const out: { day: DayNumber; name: string }[] = [];
    for (const [day, name] of this.holidayNames) if (day >= from && day <= to) out.push({ day, name });
    return out.sort((x, y) => x.day - y.day);
  }
}
