import { afterAll, describe, expect, it } from 'vitest';
import { DecisionError } from '@tplus/core';
import { bundled } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';
import { withheldPack } from '../support/withheld-pack.js';

// Singapore (XSES) and Korea (XKRX) are withheld from the bundled pack (server/rules-withheld/README.md):
// their calendars end on 2026-12-31. Their data is kept correct here, against the bundled pack plus the
// withheld files, so they can ship as soon as the 2027+ holidays are sourced.

const dir = withheldPack();
const ruleset = dir.ruleset;
afterAll(() => dir.remove());

const isBusiness = dir.isBusiness;
const decide = (tradeDate: string, market: string, assetClass = 'EQUITY') => ruleset.decide(tradeDate, assetClass, market);
const settle = (tradeDate: string, market: string): string => decide(tradeDate, market).settlementDate;
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecisionError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('withheld markets: calendars end with the last gazetted year', () => {
  it.each([['XSES'], ['SG-SETTLEMENT'], ['XKRX'], ['KR-SETTLEMENT']])('%s covers 2000-01-01..2026-12-31', (id) => {
    expect(ruleset.calendars.get(id)?.fromText).toBe('2000-01-01');
    expect(ruleset.calendars.get(id)?.toText).toBe('2026-12-31');
  });

  it('are not in the bundled pack', () => {
    for (const market of ['XSES', 'XKRX']) expect(codeOf(() => bundled().ruleset.decide('2025-06-02', 'EQUITY', market))).toBe('NO_RULE');
    for (const id of ['XSES', 'SG-SETTLEMENT', 'XKRX', 'KR-SETTLEMENT']) expect(bundled().ruleset.calendars.has(id)).toBe(false);
  });
});

describe('Singapore: XSES and CDP (Holidays Act, MOM gazette)', () => {
  it.each([
    ['2015-08-07', false], // SG50 holiday
    ['2015-09-11', false], // polling day, general election
    ['2020-07-10', false], // polling day, general election
    ['2023-09-01', false], // polling day, presidential election
    ['2025-01-29', false],
    ['2025-01-30', false], // Chinese New Year
    ['2025-03-31', false], // Hari Raya Puasa
    ['2025-05-12', false], // Vesak Day
    ['2025-10-20', false], // Deepavali
    ['2025-06-09', true], // Hari Raya Haji fell on Saturday 06-07 and was not moved
  ])('%s business day: %s', (date, open) => {
    expect(isBusiness('XSES', date)).toBe(open);
    expect(isBusiness('SG-SETTLEMENT', date)).toBe(open);
  });

  it('a trade date after the last gazetted year is CALENDAR_OUT_OF_RANGE, never a guess', () => {
    expect(codeOf(() => settle('2027-01-04', 'XSES'))).toBe('CALENDAR_OUT_OF_RANGE');
    expect(codeOf(() => settle('2026-12-30', 'XSES'))).toBe('CALENDAR_OUT_OF_RANGE'); // T+2 lands in 2027
    expect(settle('2026-12-28', 'XSES')).toBe('2026-12-30');
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

describe('withheld markets: the SGX cutover and the rules on each side', () => {
  it('rules transition shows 2018-12-12 receiving the last T+3 (2018-12-07) and the first T+2 (2018-12-10) trades', async () => {
    const r = await cli([
      'rules',
      'transition',
      '--rules',
      dir.path,
      '--market',
      'XSES',
      '--asset-class',
      'EQUITY',
      '--around',
      '2018-12-10',
      '--days',
      '6',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tradeDate: string; settlementDate: string; doubleSettlementRules: string[] });
    expect(rows.filter((x) => x.doubleSettlementRules.length > 0).map((x) => [x.tradeDate, x.settlementDate])).toEqual([
      ['2018-12-07', '2018-12-12'],
      ['2018-12-10', '2018-12-12'],
    ]);
  });

  it.each([
    ['XSES', '2018-12-06', '2018-12-11', 'sg-equity-xses-t3'],
    ['XSES', '2018-12-11', '2018-12-13', 'sg-equity-xses-t2'],
    ['XKRX', '2019-07-16', '2019-07-18', 'kr-equity-xkrx-t2'],
  ])('%s trade %s settles %s under %s', (market, trade, expected, ruleId) => {
    const d = decide(trade, market);
    expect([d.settlementDate, d.rule.id]).toEqual([expected, ruleId]);
  });

  it('settle on their own CSD calendars', () => {
    expect(decide('2025-06-02', 'XSES').rule.settlementCalendar.id).toBe('SG-SETTLEMENT');
    expect(decide('2025-06-02', 'XKRX').rule.settlementCalendar.id).toBe('KR-SETTLEMENT');
  });
});
