import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Calendar } from '@tplus/core';
import { checkRuleHistories, DecisionError, NoRuleError } from '@tplus/core';
import { formatDay, parseDay, weekdayOf } from '@tplus/core';
import { Ruleset } from '@tplus/core';
import type { CalendarDocument, RuleDocument } from '@tplus/core';
import { bundled } from '../support/bundled.js';

const FROM = parseDay('2000-01-01');
const TO = parseDay('2035-12-31');

/** A random calendar: random weekend (never all week) and a random set of holidays. */
const calendarDoc = fc
  .record({
    weekend: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
    holidays: fc.uniqueArray(fc.integer({ min: FROM, max: FROM + 2000 }), { maxLength: 300 }),
  })
  .map(({ weekend, holidays }): CalendarDocument => ({
    id: 'RANDOM',
    name: 'random',
    kind: 'settlement',
    weekend: [...weekend].sort(),
    from: formatDay(FROM),
    to: formatDay(FROM + 2200),
    holidays: [...holidays].sort((a, b) => a - b).map((d) => ({ date: formatDay(d), name: `H${d}`, closesSettlement: true })),
    unionOf: [],
    source: 'test',
  }));

/** The definition, walked one day at a time: the oracle for the precomputed calendar. */
function naiveAdd(doc: CalendarDocument, day: number, n: number): number {
  const holidays = new Set(doc.holidays.map((h) => parseDay(h.date)));
  const business = (d: number): boolean => !holidays.has(d) && !doc.weekend.includes(weekdayOf(d));
  if (n === 0) {
    let d = day;
    while (!business(d)) d++;
    return d;
  }
  let d = day;
  let counted = 0;
  while (counted < n) {
    d++;
    if (business(d)) counted++;
  }
  return d;
}

describe('calendar arithmetic matches the day-by-day definition (properties)', () => {
  it('addBusinessDays equals walking the calendar', () => {
    fc.assert(
      fc.property(calendarDoc, fc.integer({ min: FROM, max: FROM + 2000 }), fc.integer({ min: 0, max: 10 }), (doc, day, n) => {
        const cal = new Calendar(doc);
        expect(cal.addBusinessDays(day, n)).toBe(naiveAdd(doc, day, n));
      }),
      { numRuns: 300 },
    );
  });

  it('asking beyond the covered range is CALENDAR_OUT_OF_RANGE, never a guess', () => {
    fc.assert(
      fc.property(calendarDoc, fc.integer({ min: 1, max: 5000 }), (doc, beyond) => {
        const cal = new Calendar(doc);
        for (const day of [cal.from - beyond, cal.to + beyond]) {
          expect(() => cal.addBusinessDays(day, 1)).toThrow(expect.objectContaining({ code: 'CALENDAR_OUT_OF_RANGE' }) as Error);
        }
        // The last covered day cannot see a business day after it.
        expect(() => cal.addBusinessDays(cal.to, 1)).toThrow(DecisionError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('decisions on the bundled pack (properties)', () => {
  const { ruleset } = bundled();
  const keys = [...new Set(ruleset.rules.map((r) => `${r.assetClass} ${r.market}`))].map((k) => k.split(' ') as [string, string]);
  const key = fc.constantFrom(...keys);
  const trade = fc.integer({ min: FROM, max: parseDay('2035-11-30') });

  /**
   * The last trade date whose answer lies inside every calendar of the key's rules (40 days of margin for
   * the cycle and holidays). Calendars whose source is published one year at a time (XSES, XKRX) end
   * before 2035, and so do SIFMA's bond calendars (published two years ahead); past their end the answer is
   * CALENDAR_OUT_OF_RANGE by design, which the pack tests pin. Before it, CALENDAR_OUT_OF_RANGE is a bug.
   */
  const lastAskable = new Map<string, number>();
  for (const r of ruleset.rules) {
    const k = `${r.assetClass} ${r.market}`;
    const end = Math.min(r.settlementCalendar.to, r.tradingCalendar?.to ?? Infinity) - 40;
    lastAskable.set(k, Math.min(lastAskable.get(k) ?? Infinity, end));
  }

  function tryDecide(day: number, [assetClass, market]: [string, string]) {
    if (day > (lastAskable.get(`${assetClass} ${market}`) ?? Infinity)) return null;
    try {
      return ruleset.decide(formatDay(day), assetClass, market, true);
    } catch (e) {
      if (e instanceof DecisionError && e.code === 'NO_RULE') return null;
      throw e;
    }
  }

  it('settlement ≥ trade date, is a settlement business day, and exactly cycle_days business days lie in (trade, settlement]', () => {
    fc.assert(
      fc.property(trade, key, (day, k) => {
        const d = tryDecide(day, k);
        if (d === null) return;
        const cal = d.rule.settlementCalendar;
        const settle = parseDay(d.settlementDate);
        expect(settle).toBeGreaterThanOrEqual(day);
        expect(cal.isBusinessDay(settle)).toBe(true);
        if (d.rule.cycleDays > 0) expect(cal.businessDaysBetween(day, settle)).toBe(d.rule.cycleDays);
        else expect(cal.businessDaysBetween(day, settle)).toBe(cal.isBusinessDay(day) ? 0 : 1);
      }),
      { numRuns: 5_000 },
    );
  });

  it('is monotone in trade date within one rule', () => {
    fc.assert(
      fc.property(trade, fc.integer({ min: 1, max: 30 }), key, (day, gap, k) => {
        const a = tryDecide(day, k);
        const b = tryDecide(day + gap, k);
        if (a === null || b === null || a.rule.id !== b.rule.id) return;
        expect(b.settlementDate >= a.settlementDate).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('is deterministic: the same question to two independently built rulesets gives the same answer', () => {
    const twin = new Ruleset(ruleset.document, { version: ruleset.version, hash: ruleset.hash });
    fc.assert(
      fc.property(trade, key, fc.boolean(), (day, [assetClass, market], allow) => {
        const ask = (rs: Ruleset): string => {
          try {
            const d = rs.decide(formatDay(day), assetClass, market, allow);
            return `${d.settlementDate} ${d.rule.id} ${d.rulesetHash}`;
          } catch (e) {
            return e instanceof DecisionError ? e.code : 'unexpected';
          }
        };
        expect(ask(twin)).toBe(ask(ruleset));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('rule matching (properties)', () => {
  /** Random contiguous histories: cut points split 2000..2035 into rules with random cycles. */
  const history = fc
    .uniqueArray(fc.integer({ min: FROM + 1, max: TO - 1 }), { minLength: 0, maxLength: 6 })
    .chain((cuts) =>
      fc.tuple(
        fc.constant([...cuts].sort((a, b) => a - b)),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: cuts.length + 1, maxLength: cuts.length + 1 }),
      ),
    );

  it('the rule chosen is the one whose inclusive range holds the trade date; outside all of them is NO_RULE', () => {
    const { ruleset } = bundled();
    const cal = ruleset.document.calendars.find((c) => c.id === 'US-SETTLEMENT');
    if (!cal) throw new Error('US-SETTLEMENT missing');
    fc.assert(
      fc.property(history, fc.integer({ min: FROM - 100, max: TO }), ([cuts, cycles], day) => {
        const starts = [FROM + 30, ...cuts.filter((c) => c > FROM + 30)];
        const rules: RuleDocument[] = starts.map((start, i) => ({
          id: `r${i}`,
          name: `rule ${i}`,
          assetClass: 'EQUITY',
          market: 'XTST',
          from: formatDay(start),
          to: i + 1 < starts.length ? formatDay((starts[i + 1] as number) - 1) : '9999-12-31',
          cycleDays: cycles[i] ?? 1,
          settlementCalendar: 'US-SETTLEMENT',
          tradingCalendar: null,
          source: 'test',
        }));
        const rs = new Ruleset({ calendars: [cal], rules }, { version: 1, hash: 'h' });
        const expected = rules.find((r) => day >= parseDay(r.from) && day <= parseDay(r.to));
        let got: string;
        try {
          got = rs.findRule(day, formatDay(day), 'EQUITY', 'XTST').id;
        } catch (e) {
          got = e instanceof DecisionError ? e.code : 'unexpected';
        }
        expect(got).toBe(expected ? expected.id : 'NO_RULE');
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('settlement types and segments (properties)', () => {
  const { ruleset } = bundled();
  const T1_START = parseDay('2024-05-28');
  const LAST = parseDay('2035-06-30');
  const t1Keys = ruleset.rules.filter((r) => r.settlementTypes.length > 0).map((r) => [r.assetClass, r.market] as [string, string]);
  const typed: fc.Arbitrary<{ settlementType: string; optionDays?: number }> = fc.oneof(
    fc.constant({ settlementType: 'CASH' }),
    fc.constant({ settlementType: 'NEXT_DAY' }),
    fc.integer({ min: 2, max: 100 }).map((optionDays) => ({ settlementType: 'SELLERS_OPTION', optionDays })),
  );
  const tradeDay = fc.integer({ min: T1_START, max: LAST });

  it('a typed decision settles ≥ trade date, on a settlement business day, exactly business_days after it', () => {
    fc.assert(
      fc.property(tradeDay, fc.constantFrom(...t1Keys), typed, (day, [assetClass, market], terms) => {
        const d = ruleset.decide(formatDay(day), assetClass, market, true, terms);
        const cal = d.rule.settlementCalendar;
        const settle = parseDay(d.settlementDate);
        expect(settle).toBeGreaterThanOrEqual(day);
        expect(cal.isBusinessDay(settle)).toBe(true);
        const expected = terms.settlementType === 'CASH' ? 0 : terms.settlementType === 'NEXT_DAY' ? 1 : (terms.optionDays ?? -1);
        expect(d.businessDays).toBe(expected);
        if (expected > 0) expect(cal.businessDaysBetween(day, settle)).toBe(expected);
        else expect(cal.businessDaysBetween(day, settle)).toBe(cal.isBusinessDay(day) ? 0 : 1);
      }),
      { numRuns: 3_000 },
    );
  });

  it('WHEN_ISSUED answers the announced date when it is a settlement day ≥ trade date, and refuses it otherwise', () => {
    fc.assert(
      fc.property(tradeDay, fc.integer({ min: -5, max: 60 }), fc.constantFrom(...t1Keys), (day, ahead, [assetClass, market]) => {
        const announced = formatDay(day + ahead);
        const ask = () =>
          ruleset.decide(formatDay(day), assetClass, market, true, { settlementType: 'WHEN_ISSUED', settlementDate: announced });
        const cal = ruleset.findRule(day, formatDay(day), assetClass, market).settlementCalendar;
        if (ahead >= 0 && cal.isBusinessDay(day + ahead)) {
          const d = ask();
          expect(d.settlementDate).toBe(announced);
          expect(d.businessDays).toBe(cal.businessDaysBetween(day, day + ahead));
        } else {
          expect(ask).toThrow(
            expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ field: 'settlement_date' }) }) as Error,
          );
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('is monotone in trade date for one type and key, and CASH ≤ NEXT_DAY ≤ REGULAR ≤ SELLERS_OPTION on one trade', () => {
    fc.assert(
      fc.property(tradeDay, fc.integer({ min: 1, max: 30 }), fc.constantFrom(...t1Keys), typed, (day, gap, [assetClass, market], terms) => {
        const a = ruleset.decide(formatDay(day), assetClass, market, true, terms).settlementDate;
        const b = ruleset.decide(formatDay(day + gap), assetClass, market, true, terms).settlementDate;
        expect(b >= a).toBe(true);
        const at = (t: object) => ruleset.decide(formatDay(day), assetClass, market, true, t).settlementDate;
        const order = [
          at({ settlementType: 'CASH' }),
          at({ settlementType: 'NEXT_DAY' }),
          at({}),
          at({ settlementType: 'SELLERS_OPTION', optionDays: 2 }),
        ];
        expect([...order].sort()).toEqual(order);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is deterministic: typed and segment questions to two independently built rulesets give the same answer', () => {
    const twin = new Ruleset(ruleset.document, { version: ruleset.version, hash: ruleset.hash });
    const terms = fc.record(
      {
        settlementType: fc.constantFrom('', 'REGULAR', 'CASH', 'NEXT_DAY', 'SELLERS_OPTION', 'WHEN_ISSUED', 'BOGUS'),
        optionDays: fc.integer({ min: 0, max: 300 }),
        settlementDate: fc.integer({ min: T1_START - 100, max: LAST }).map(formatDay),
        segment: fc.constantFrom('', 'A', 'TRANCHE-1', 'bad seg'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: FROM, max: LAST }),
        fc.constantFrom(...t1Keys),
        terms,
        fc.boolean(),
        (day, [assetClass, market], t, allow) => {
          const ask = (rs: Ruleset): string => {
            try {
              const d = rs.decide(formatDay(day), assetClass, market, allow, t);
              return `${d.settlementDate} ${d.rule.id} ${d.settlementType} ${d.businessDays}`;
            } catch (e) {
              return e instanceof DecisionError ? `${e.code} ${e.message}` : 'unexpected';
            }
          };
          expect(ask(twin)).toBe(ask(ruleset));
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('segment precedence: the segment rule in force that day, else the market default; exactly cycle_days; monotone within a rule', () => {
    const cal = ruleset.document.calendars.find((c) => c.id === 'US-SETTLEMENT');
    if (!cal) throw new Error('US-SETTLEMENT missing');
    // Random phased histories: a default rule for all time, and per segment one rule from a random start.
    const phased = fc.record({
      defaultCycle: fc.integer({ min: 1, max: 3 }),
      segments: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom('S1', 'S2', 'S3'),
          start: fc.integer({ min: FROM + 30, max: TO - 400 }),
          cycle: fc.integer({ min: 0, max: 3 }),
        }),
        {
          selector: (s) => s.name,
          maxLength: 3,
        },
      ),
    });
    fc.assert(
      fc.property(
        phased,
        fc.integer({ min: FROM, max: TO - 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom('', 'S1', 'S2', 'S3', 'S4'),
        (p, day, gap, segment) => {
          const rules: RuleDocument[] = [
            {
              id: 'default',
              name: 'd',
              assetClass: 'EQUITY',
              market: 'XTST',
              from: formatDay(FROM),
              to: '9999-12-31',
              cycleDays: p.defaultCycle,
              settlementCalendar: 'US-SETTLEMENT',
              tradingCalendar: null,
              source: 't',
            },
            ...p.segments.map((s) => ({
              id: `seg-${s.name}`,
              name: s.name,
              assetClass: 'EQUITY',
              market: 'XTST',
              from: formatDay(s.start),
              to: '9999-12-31',
              cycleDays: s.cycle,
              settlementCalendar: 'US-SETTLEMENT',
              tradingCalendar: null,
              source: 't',
              segment: s.name,
            })),
          ];
          const rs = new Ruleset({ calendars: [cal], rules }, { version: 1, hash: 'h' });
          const seg = p.segments.find((s) => s.name === segment && day >= s.start);
          const d = rs.decide(formatDay(day), 'EQUITY', 'XTST', true, { segment });
          expect(d.rule.id).toBe(seg ? `seg-${seg.name}` : 'default');
          const c = rs.calendars.get('US-SETTLEMENT') as Calendar;
          const settle = parseDay(d.settlementDate);
          expect(settle).toBeGreaterThanOrEqual(day);
          if (d.rule.cycleDays > 0) expect(c.businessDaysBetween(day, settle)).toBe(d.rule.cycleDays);
          const later = rs.decide(formatDay(day + gap), 'EQUITY', 'XTST', true, { segment });
          if (later.rule.id === d.rule.id) expect(later.settlementDate >= d.settlementDate).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('a default gap is accepted exactly when segment rules cover every day of it; in it only a segment in force answers, else NO_RULE naming those in force', () => {
    const cal = ruleset.document.calendars.find((c) => c.id === 'US-SETTLEMENT');
    if (!cal) throw new Error('US-SETTLEMENT missing');
    const START = parseDay('2010-01-01');
    const phased = fc.record({
      gapFrom: fc.integer({ min: START, max: START + 300 }),
      gapLength: fc.integer({ min: 1, max: 200 }),
      segments: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom('S1', 'S2', 'S3'),
          start: fc.integer({ min: START - 50, max: START + 500 }),
          length: fc.integer({ min: 0, max: 400 }),
          cycle: fc.integer({ min: 0, max: 3 }),
        }),
        { selector: (s) => s.name, maxLength: 3 },
      ),
    });
    const rule = (id: string, from: number, to: number | null, cycleDays: number, segment?: string): RuleDocument => ({
      id,
      name: id,
      assetClass: 'EQUITY',
      market: 'XTST',
      from: formatDay(from),
      to: to === null ? '9999-12-31' : formatDay(to),
      cycleDays,
      settlementCalendar: 'US-SETTLEMENT',
      tradingCalendar: null,
      source: 't',
      ...(segment === undefined ? {} : { segment }),
    });
    fc.assert(
      fc.property(
        phased,
        fc.integer({ min: START - 60, max: START + 900 }),
        fc.constantFrom('', 'S1', 'S2', 'S3', 'S4'),
        (p, day, segment) => {
          const gapTo = p.gapFrom + p.gapLength - 1;
          const rules = [
            rule('before', parseDay('2000-01-01'), p.gapFrom - 1, 2),
            rule('after', gapTo + 1, null, 1),
            ...p.segments.map((s) => rule(`seg-${s.name}`, s.start, s.start + s.length, s.cycle, s.name)),
          ];
          const inForce = (d: number) => p.segments.filter((s) => s.start <= d && d <= s.start + s.length).map((s) => s.name);
          let covered = true;
          for (let d = p.gapFrom; d <= gapTo; d++) if (inForce(d).length === 0) covered = false;
          expect(checkRuleHistories(rules).length === 0).toBe(covered);
          if (!covered) return;
          const rs = new Ruleset({ calendars: [cal], rules }, { version: 1, hash: 'h' });
          const names: string[] = inForce(day).sort();
          const expected = names.includes(segment) ? `seg-${segment}` : day < p.gapFrom ? 'before' : day > gapTo ? 'after' : null;
          let got: string;
          try {
            got = rs.decide(formatDay(day), 'EQUITY', 'XTST', true, segment === '' ? undefined : { segment }).rule.id;
          } catch (e) {
            if (!(e instanceof NoRuleError)) throw e;
            expect(e.message).toContain(`one of ${names.join(', ')} (the segments with a rule in force on ${formatDay(day)})`);
            got = 'NO_RULE';
          }
          expect(got).toBe(expected ?? 'NO_RULE');
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
