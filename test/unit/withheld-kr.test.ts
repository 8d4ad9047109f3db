import { afterAll, describe, expect, it } from 'vitest';
import { bundled, codeOf } from '../support/bundled.js';
import { withheldPack } from '../support/withheld-pack.js';

// Korea (XKRX) is withheld from the bundled pack (server/rules-withheld/README.md): its calendars end on
// 2026-12-31. Its data is kept correct here, against the bundled pack plus the withheld files, so it can
// ship as soon as the 2027 holidays are settled.

const dir = withheldPack();
const ruleset = dir.ruleset;
afterAll(() => dir.remove());

const isBusiness = dir.isBusiness;
const decide = (tradeDate: string, market: string, assetClass = 'EQUITY') => ruleset.decide(tradeDate, assetClass, market);
const settle = (tradeDate: string, market: string): string => decide(tradeDate, market).settlementDate;

describe('withheld markets: calendars end with the last settled year', () => {
  it.each([['XKRX'], ['KR-SETTLEMENT']])('%s covers 2000-01-01..2026-12-31', (id) => {
    expect(ruleset.calendars.get(id)?.fromText).toBe('2000-01-01');
    expect(ruleset.calendars.get(id)?.toText).toBe('2026-12-31');
  });

  it('are not in the bundled pack', () => {
    expect(codeOf(() => bundled().ruleset.decide('2025-06-02', 'EQUITY', 'XKRX'))).toBe('NO_RULE');
    for (const id of ['XKRX', 'KR-SETTLEMENT']) expect(bundled().ruleset.calendars.has(id)).toBe(false);
  });
});

describe('Korea: XKRX and KSD (public holidays, KRX year-end closing day)', () => {
  it.each([
    ['2024-10-01', false], // Armed Forces Day, temporary holiday
    ['2024-12-31', false], // year-end closing day (banks open, no exchange trade settles)
    ['2022-12-30', false], // year-end closing day moved to Friday: December 31 was a Saturday
    ['2025-01-27', false], // temporary holiday before Seollal
    ['2025-06-03', false], // presidential election
    ['2017-10-02', false],
    ['2017-10-06', false],
    ['2017-10-09', false], // 2017 Chuseok week, Hangeul Day
    ['2023-05-29', false], // substitute for Buddha's Birthday (Saturday 05-27), first year of that substitution
    ['2025-05-01', false], // Labour Day: KRX closed
  ])('%s business day: %s', (date, open) => {
    expect(isBusiness('XKRX', date)).toBe(open);
    expect(isBusiness('KR-SETTLEMENT', date)).toBe(open);
  });

  it('the last trade of 2024 settles on the second trading day of 2025', () => {
    expect(settle('2024-12-30', 'XKRX')).toBe('2025-01-03');
  });

  it('a trade date after 2026 is CALENDAR_OUT_OF_RANGE', () => {
    expect(codeOf(() => settle('2027-01-04', 'XKRX'))).toBe('CALENDAR_OUT_OF_RANGE');
  });
});

describe('withheld markets: the rules', () => {
  it('XKRX trades settle T+2 on KR-SETTLEMENT', () => {
    const d = decide('2019-07-16', 'XKRX');
    expect([d.settlementDate, d.rule.id, d.rule.settlementCalendar.id]).toEqual(['2019-07-18', 'kr-equity-xkrx-t2', 'KR-SETTLEMENT']);
    expect(decide('2019-07-16', 'XKRX', 'ETF').rule.id).toBe('kr-etf-xkrx-t2');
  });
});
