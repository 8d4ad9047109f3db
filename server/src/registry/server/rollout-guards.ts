import type { CandidateRow } from './rollout-store.js';
import type { ShadowState } from './fleet-state.js';

/** Shadow decisions a promote needs fleet-wide unless told otherwise (--min-shadow-decisions). */
export const DEFAULT_MIN_SHADOW_DECISIONS = 10_000;

export interface ShadowSums {
  readonly decisions: number;
  readonly unexpected: number;
  readonly followers: number;
}

export function sumShadow(states: readonly ShadowState[]): ShadowSums {
  let decisions = 0;
  let unexpected = 0;
  for (const s of states) {
    decisions += s.totals.same + s.totals.expectedChange + s.totals.unexpectedChange + s.totals.error;
    unexpected += s.totals.unexpectedChange;
  }
  return { decisions, unexpected, followers: states.length };
}

/** Every reason a promote of `row` is refused (empty: it may go ahead). */
export function promoteBlockers(row: CandidateRow, shadow: ShadowSums, minDecisions: number): string[] {
  const out: string[] = [];
  if (row.nacks > 0) out.push(`${row.nacks} NACK(s), last: ${row.lastNack}`);
  if (shadow.unexpected > 0) out.push(`${shadow.unexpected} unexpected shadow change(s)`);
  if (shadow.decisions < minDecisions)
    out.push(
      `${shadow.decisions} shadow decision(s) counted over ${shadow.followers} follower(s), fewer than --min-shadow-decisions ${minDecisions}`,
    );
  return out;
}
