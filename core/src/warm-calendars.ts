import type { Ruleset } from './ruleset.js';

/**
 * Builds, in `next`, the lookup tables of every calendar `previous` had built: the calendars this process
 * has been asked about, i.e. the markets its host trades. A calendar builds its tables on first use
 * (1–10 ms cold, measured on a loaded 2-core box), so calling this before `next` goes live keeps that cost
 * off the first requests after an activation. Returns how many calendars it built.
 */
export function warmCalendarsLike(next: Ruleset, previous: Ruleset): number {
  let built = 0;
  for (const [id, calendar] of previous.calendars) {
    const target = next.calendars.get(id);
    if (!calendar.tablesBuilt || target === undefined || target.tablesBuilt) continue;
    target.buildTables();
    built++;
  }
  return built;
}
