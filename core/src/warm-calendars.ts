import type { Calendar } from './calendar.js';
import type { Ruleset } from './ruleset.js';
import type { Yielder } from './yielder.js';

/** The calendars of `next` without tables whose namesake in `previous` has them. */
function toWarm(next: Ruleset, previous: Ruleset): Calendar[] {
  const out: Calendar[] = [];
  for (const [id, calendar] of previous.calendars) {
    const target = next.calendars.get(id);
    if (calendar.tablesBuilt && target !== undefined && !target.tablesBuilt) out.push(target);
  }
  return out;
}

/** How many of `previous`'s built calendars `next` has with tables. */
function carried(next: Ruleset, previous: Ruleset): number {
  let n = 0;
  for (const [id, calendar] of previous.calendars) if (calendar.tablesBuilt && next.calendars.get(id)?.tablesBuilt) n++;
  return n;
}

/**
 * Builds, in `next`, the lookup tables of every calendar `previous` had built: the calendars this process
 * has been asked about, i.e. the markets its host trades. A calendar builds its tables on first use
 * (1–10 ms cold, measured on a loaded 2-core box), so calling this before `next` goes live keeps that cost
 * off the first requests after an activation. Returns how many of those calendars `next` now has built
 * (whether built here or earlier, e.g. by warmCalendarsLikeSliced).
 */
export function warmCalendarsLike(next: Ruleset, previous: Ruleset): number {
  for (const calendar of toWarm(next, previous)) calendar.buildTables();
  return carried(next, previous);
}

/** The same, giving the event loop back between calendars when `yielder` says the stretch has run long enough. */
export async function warmCalendarsLikeSliced(next: Ruleset, previous: Ruleset, yielder: Yielder): Promise<void> {
  for (const calendar of toWarm(next, previous)) {
    calendar.buildTables();
    if (yielder.due()) await yielder.pause();
  }
}
