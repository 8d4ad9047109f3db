import { describe, expect, it } from 'vitest';
import { bundled, isBusiness } from '../support/bundled.js';

// The US-BOND trading calendar: SIFMA's recommended FULL closes for US dollar fixed income. An early
// close is a trading day. Each expectation names the SIFMA (or, before 2006, Bond Market Association)
// notice it comes from; none was produced by running the code under test.

describe('pack: US fixed-income calendars cover only what SIFMA has published', () => {
  it.each(['US-BOND', 'US-TREASURY-SETTLEMENT', 'US-CORP-MUNI-SETTLEMENT', 'SIFMA-NO-SETTLEMENT', 'SIFMA-GOV-NO-SETTLEMENT'])(
    '%s covers 2000-01-01..2027-12-31 (SIFMA release of 2025-12-17: 2026 and 2027 recommendations)',
    (id) => {
      const cal = bundled().ruleset.calendars.get(id);
      expect(cal?.fromText).toBe('2000-01-01');
      expect(cal?.toText).toBe('2027-12-31');
    },
  );
});

describe('US-BOND: full closes of a published year', () => {
  it.each([
    // SIFMA 2024 US recommendations: twelve full closes
    [
      '2024',
      [
        '2024-01-01',
        '2024-01-15',
        '2024-02-19',
        '2024-03-29',
        '2024-05-27',
        '2024-06-19',
        '2024-07-04',
        '2024-09-02',
        '2024-10-14',
        '2024-11-11',
        '2024-11-28',
        '2024-12-25',
      ],
    ],
    // SIFMA 2026 recommendations: Good Friday 2026-04-03 is an early close (confirmed 2026-03-20);
    // Independence Day on a Saturday closes Friday 2026-07-03
    [
      '2026',
      [
        '2026-01-01',
        '2026-01-19',
        '2026-02-16',
        '2026-05-25',
        '2026-06-19',
        '2026-07-03',
        '2026-09-07',
        '2026-10-12',
        '2026-11-11',
        '2026-11-26',
        '2026-12-25',
      ],
    ],
    // 2027 (SIFMA release of 2025-12-17): Juneteenth and Christmas on Saturdays close the Fridays;
    // New Year's Day 2028 on a Saturday is not observed
    [
      '2027',
      [
        '2027-01-01',
        '2027-01-18',
        '2027-02-15',
        '2027-03-26',
        '2027-05-31',
        '2027-06-18',
        '2027-07-05',
        '2027-09-06',
        '2027-10-11',
        '2027-11-11',
        '2027-11-25',
        '2027-12-24',
      ],
    ],
  ])('%s', (year, closed) => {
    const doc = bundled().ruleset.document.calendars.find((c) => c.id === 'US-BOND');
    expect(doc?.holidays.map((h) => h.date).filter((d) => d.startsWith(year))).toEqual(closed);
  });
});

describe('US-BOND: days bonds and stocks part ways', () => {
  it.each([
    // Columbus Day and Veterans Day: SIFMA full closes while NYSE trades (e.g. SIFMA 2023-09-25)
    ['2023-10-09'],
    ['2024-10-14'],
    ['2024-11-11'],
    ['2025-10-13'],
    ['2025-11-11'],
    ['2018-11-12'],
  ])('%s: NYSE trades, the bond market is closed', (date) => {
    expect(isBusiness('XNYS', date)).toBe(true);
    expect(isBusiness('US-BOND', date)).toBe(false);
  });

  it.each([
    // Good Friday coinciding with the BLS employment report: 12:00 early close, not a closure
    ['2007-04-06'], // Bloomberg 2010-04-02: bonds traded on Good Friday 2007 after the jobs report
    ['2010-04-02'], // SIFMA 2010/2011 recommendations (early close instead of the full close first listed)
    ['2012-04-06'], // SIFMA release of 2012-03-21
    ['2015-04-03'], // SIFMA release of 2015-03-09
    ['2021-04-02'], // SIFMA 2021/2022 recommendations of 2020-12-15
    ['2023-04-07'], // SIFMA noon close on Good Friday 2023 (MarketWatch/AP, 2023-04-06)
    ['2026-04-03'], // SIFMA release of 2026-03-20
    // National days of mourning / storms that SIFMA answered with an early close only
    ['2007-01-02'], // President Ford: SIFMA recommended an early close (Bloomberg 2006-12-29)
    ['2012-10-29'], // Hurricane Sandy: 12:00 early close (SIFMA 2012-10-28)
    ['2025-01-09'], // President Carter: 2:00 pm early close (SIFMA 2024-12-30)
  ])('%s: NYSE closed, bonds trade (early close)', (date) => {
    expect(isBusiness('XNYS', date)).toBe(false);
    expect(isBusiness('US-BOND', date)).toBe(true);
  });

  it.each([['2013-03-29'], ['2020-04-10'], ['2022-04-15'], ['2024-03-29'], ['2025-04-18']])(
    'Good Friday %s without a jobs report: full close',
    (date) => {
      expect(isBusiness('US-BOND', date)).toBe(false);
    },
  );

  it.each([
    ['2001-09-11', false],
    ['2001-09-12', false],
    ['2001-09-13', true], // BMA: two-day shutdown, bonds resumed 09-13
    ['2004-06-11', false], // President Reagan: BMA recommended a full close
    ['2012-10-30', false], // Hurricane Sandy: SIFMA full close (2012-10-29)
    ['2018-12-05', false], // President G.H.W. Bush: SIFMA full close (2018-12-01)
  ])('ad-hoc %s is a trading day: %s', (date, open) => {
    expect(isBusiness('US-BOND', date)).toBe(open);
  });

  it.each([
    ['2010-12-31', true], // SIFMA 2010: full trading on 2010-12-31 although New Year's Day 2011 was a Saturday
    ['2021-12-31', true], // New Year's Day 2022 on a Saturday: no observance
    ['2021-06-18', true], // Juneteenth 2021 (Saturday): SIFMA made no recommendation, Fedwire open
    ['2022-06-20', false], // SIFMA revision of 2021-07-14: full close for Juneteenth from 2022
    ['2023-11-10', true], // Veterans Day 2023 on a Saturday is not moved to Friday
    ['2021-12-24', false], // Christmas 2021 on a Saturday closes Friday
    ['2020-07-03', false], // SIFMA 2020-06-23: full close Friday 2020-07-03
  ])('weekend observance: %s is a trading day: %s', (date, open) => {
    expect(isBusiness('US-BOND', date)).toBe(open);
  });
});
