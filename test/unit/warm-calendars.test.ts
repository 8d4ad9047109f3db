import { describe, expect, it } from 'vitest';
import { Ruleset, warmCalendarsLike, warmCalendarsLikeSliced } from '@tplus/core';
import { Slicer } from '../../server/src/sync/slicer.js';
import { bundled } from '../support/bundled.js';

const built = (r: Ruleset): string[] => [...r.calendars].filter(([, c]) => c.tablesBuilt).map(([id]) => id);
const fresh = (): Ruleset => new Ruleset(bundled().ruleset.document, { version: 1, hash: bundled().ruleset.hash });

describe('calendar tables: built on first use, carried over an activation', () => {
  it('a new ruleset has built no calendar tables, and a decision builds only the calendars it needs', () => {
    const r = fresh();
    expect(built(r)).toEqual([]);
    r.decide('2024-05-24', 'EQUITY', 'XNYS');
    expect(built(r).sort()).toEqual(['US-SETTLEMENT', 'XNYS']);
  });

  it('warmCalendarsLike builds in the next ruleset exactly the calendars the previous one had built', () => {
    const previous = fresh();
    previous.decide('2024-05-24', 'EQUITY', 'XNYS');
    previous.decide('2024-05-24', 'EQUITY', 'XLON');
    const next = fresh();
    expect(warmCalendarsLike(next, previous)).toBe(built(previous).length);
    expect(built(next).sort()).toEqual(built(previous).sort());
    expect(warmCalendarsLike(next, previous)).toBe(built(previous).length); // counted again, nothing built twice
    // Answers are the same whichever way the tables came to be built.
    expect(next.decide('2024-05-24', 'EQUITY', 'XNYS')).toEqual(previous.decide('2024-05-24', 'EQUITY', 'XNYS'));
  });

  it('warmCalendarsLikeSliced builds the same calendars, one stretch each when every stretch is due', async () => {
    const previous = fresh();
    previous.decide('2024-05-24', 'EQUITY', 'XNYS');
    previous.decide('2024-05-24', 'EQUITY', 'XTKS');
    const next = fresh();
    const slicer = new Slicer(0);
    await warmCalendarsLikeSliced(next, previous, slicer);
    expect(built(next).sort()).toEqual(built(previous).sort());
    expect(slicer.finish().slices).toBe(built(previous).length + 1);
  });
});
