import { diffSteps, formatDay, parseDay, rangeKey, Ruleset, type DayNumber, type DiffRange, type RulesetDocument } from '@tplus/core';
import { isExpected, type DiffRangeMessage, type ExpectedChange } from '../index.js';
import type { CallScope } from './call-scope.js';
import { MAX_DIFF_DAYS } from './diff-window.js';
import { RegistryError } from './registry-error.js';
import { runInSlices } from './run-in-slices.js';

/** The ranges of a diff split into what the declaration covers and what it does not. */
export interface CandidateDiff {
  readonly expected: readonly DiffRange[];
  readonly outside: readonly DiffRange[];
}

const rulesetOf = (document: Buffer, version: number): Ruleset =>
  new Ruleset(JSON.parse(document.toString('utf8')) as RulesetDocument, { version, hash: '' });

/** The days of `range` that the declaration does not cover, as sub-ranges (same key). */
function uncovered(range: DiffRange, declared: readonly ExpectedChange[]): DiffRange[] {
  const out: DiffRange[] = [];
  let open: { from: DayNumber; to: DayNumber } | null = null;
  const last = parseDay(range.to);
  for (let d = parseDay(range.from); d <= last; d++) {
    if (!isExpected(declared, d, range.market)) {
      if (open !== null && open.to === d - 1) open.to = d;
      else {
        if (open !== null)
          out.push({ ...range, from: formatDay(open.from), to: formatDay(open.to), changedDates: open.to - open.from + 1, examples: [] });
        open = { from: d, to: d };
      }
    }
  }
  if (open !== null)
    out.push({ ...range, from: formatDay(open.from), to: formatDay(open.to), changedDates: open.to - open.from + 1, examples: [] });
  // Keep the core's examples that fall outside, so the refusal shows real answers.
  return out.map((o) => ({ ...o, examples: range.examples.filter((e) => e.tradeDate >= o.from && e.tradeDate <= o.to) }));
}

/**
 * Compares a candidate with the live version over the trade dates from `today` (MAX_DIFF_DAYS days,
 * sliced like Diff) and splits the changes by the declaration. Changed dates are counted per range;
 * "outside" keeps only the dates the declaration does not cover.
 */
export async function candidateDiff(
  live: Buffer | null,
  candidate: Buffer,
  declared: readonly ExpectedChange[],
  today: DayNumber,
  scope: CallScope,
): Promise<CandidateDiff> {
  if (live === null) return { expected: [], outside: [] };
  const ranges = await runInSlices(diffSteps(rulesetOf(live, 0), rulesetOf(candidate, 0), today, today + MAX_DIFF_DAYS - 1), scope);
  const expected: DiffRange[] = [];
  const outside: DiffRange[] = [];
  for (const r of ranges) {
    const u = uncovered(r, declared);
    if (u.length === 0) expected.push(r);
    else outside.push(...u);
  }
  return { expected, outside };
}

/** A core range as the wire's DiffRange: the readonly examples copied, an absent segment or type as "". */
export function toWireRange(g: DiffRange): DiffRangeMessage {
  return { ...g, segment: g.segment ?? '', settlementType: g.settlementType ?? '', examples: [...g.examples] };
}

/** UNEXPECTED_CHANGES naming every range the declaration does not cover (at most 50 listed). */
export function refuseOutside(outside: readonly DiffRange[], declared: readonly ExpectedChange[]): RegistryError {
  const shown = outside.slice(0, 50).map((r) => {
    const ex = r.examples[0];
    return `${rangeKey(r)} ${r.from}..${r.to} (${r.changedDates} trade date(s)${ex ? `, e.g. ${ex.tradeDate}: ${ex.before} → ${ex.after}` : ''})`;
  });
  const more = outside.length > shown.length ? `; and ${outside.length - shown.length} more` : '';
  const decl = declared.length === 0 ? 'nothing (no --expect-changes)' : declared.map((d) => d.text).join(', ');
  return new RegistryError(
    'UNEXPECTED_CHANGES',
    `the candidate moves answers outside its declaration (${decl}): ${shown.join('; ')}${more}`,
    { ranges: String(outside.length), first: shown[0] ?? '' },
  );
}
