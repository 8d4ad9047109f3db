import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDay, NoRuleError, parseDay, transitionTable, weekdayOf } from '@tplus/core';
import { bundled, RULES_DIR } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';
import { withheldPack } from '../support/withheld-pack.js';

// India's phased move from T+2 to T+1 (XNSE, XBOM), withheld with its 2022-2023 calendars
// (server/rules-withheld/README.md). Sources: server/rules-withheld/calendars/india.yaml and rules/india.yaml.

const dir = withheldPack();
const ruleset = dir.ruleset;
afterAll(() => dir.remove());

const isBusiness = dir.isBusiness;
const decide = (trade: string, segment?: string, market = 'XNSE') =>
  ruleset.decide(trade, 'EQUITY', market, false, segment === undefined ? undefined : { segment });

/** The tranches: the trade date each moved to T+1 (joint MII statement of 2021-11-08). */
const TRANCHES = [
  '2022-02-25',
  '2022-03-25',
  '2022-04-29',
  '2022-05-27',
  '2022-06-24',
  '2022-07-29',
  '2022-08-26',
  '2022-09-30',
  '2022-10-28',
  '2022-11-25',
  '2022-12-30',
  '2023-01-27',
] as const;

/** Weekday trading holidays 2022-2023: the NSE/BSE lists (2022; BSE notice 20221208-31, Bakri Id moved to 06-29). */
const TRADING_HOLIDAYS = [
  '2022-01-26', '2022-03-01', '2022-03-18', '2022-04-14', '2022-04-15', '2022-05-03', '2022-08-09',
  '2022-08-15', '2022-08-31', '2022-10-05', '2022-10-24', '2022-10-26', '2022-11-08',
  '2023-01-26', '2023-03-07', '2023-03-30', '2023-04-04', '2023-04-07', '2023-04-14', '2023-05-01',
  '2023-06-29', '2023-08-15', '2023-09-19', '2023-10-02', '2023-10-24', '2023-11-14', '2023-11-27', '2023-12-25',
]; // prettier-ignore

/** Settlement holidays on which the exchanges traded. */
const SETTLEMENT_ONLY = ['2022-04-01', '2022-05-16', '2022-08-16', '2023-03-22', '2023-05-05', '2023-08-16', '2023-09-28'];

/**
 * exchange_calendars XBOM (gerrymanoim/exchange_calendars, tests/resources/xbom.csv at 5308ce2, 2026-07-23):
 * the weekdays of 2022-2023 that are not sessions, read off the session list.
 */
const EXCHANGE_CALENDARS_XBOM_CLOSED = [...TRADING_HOLIDAYS];

const weekdaysOf = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let d = parseDay(from); d <= parseDay(to); d++) if (weekdayOf(d) !== 0 && weekdayOf(d) !== 6) days.push(formatDay(d));
  return days;
};

describe('India: calendars 2022-2023, withheld', () => {
  it.each([['XNSE'], ['XBOM'], ['IN-SETTLEMENT']])('%s covers 2022-01-01..2023-12-31', (id) => {
    expect([ruleset.calendars.get(id)?.fromText, ruleset.calendars.get(id)?.toText]).toEqual(['2022-01-01', '2023-12-31']);
  });

  it('is not in the bundled pack', () => {
    for (const market of ['XNSE', 'XBOM']) {
      expect(() => bundled().ruleset.decide('2023-06-01', 'EQUITY', market)).toThrow(NoRuleError);
    }
    for (const id of ['XNSE', 'XBOM', 'IN-SETTLEMENT']) expect(bundled().ruleset.calendars.has(id)).toBe(false);
  });

  it('trading holidays close trading and settlement on both exchanges; settlement holidays only settlement', () => {
    for (const id of ['XNSE', 'XBOM', 'IN-SETTLEMENT']) {
      expect(TRADING_HOLIDAYS.filter((d) => isBusiness(id, d))).toEqual([]);
    }
    expect(SETTLEMENT_ONLY.filter((d) => !isBusiness('XNSE', d) || !isBusiness('XBOM', d))).toEqual([]);
    expect(SETTLEMENT_ONLY.filter((d) => isBusiness('IN-SETTLEMENT', d))).toEqual([]);
  });

  it('2023-06-28 trades and settles: the Bakri Id holiday moved to 06-29 and the RBI cancelled 06-28 (CNBC-TV18, 2023-06-27)', () => {
    expect([isBusiness('XNSE', '2023-06-28'), isBusiness('IN-SETTLEMENT', '2023-06-28')]).toEqual([true, true]);
  });

  it('no other weekday is closed', () => {
    const closed = new Set([...TRADING_HOLIDAYS, ...SETTLEMENT_ONLY]);
    expect(weekdaysOf('2022-01-01', '2023-12-31').filter((d) => !closed.has(d) && !isBusiness('IN-SETTLEMENT', d))).toEqual([]);
  });

  it('cross-check: XNSE and XBOM close on exactly the weekdays exchange_calendars XBOM has no session (no difference)', () => {
    for (const id of ['XNSE', 'XBOM']) {
      expect(weekdaysOf('2022-01-01', '2023-12-31').filter((d) => !isBusiness(id, d))).toEqual(EXCHANGE_CALENDARS_XBOM_CLOSED);
    }
  });
});

describe('India: the tranches of the phased T+1', () => {
  it.each(TRANCHES.map((t) => [t]))('%s is the last Friday of its month and a trading day', (t) => {
    const day = parseDay(t);
    expect(weekdayOf(day)).toBe(5);
    expect(formatDay(day + 7).slice(0, 7)).not.toBe(t.slice(0, 7));
    expect(isBusiness('XNSE', t)).toBe(true);
  });

  it.each([
    // trade date, segment, rule, settlement
    ['2022-02-24', undefined, 'in-equity-xnse-t2', '2022-02-28'], // before the window: the default, T+2
    ['2022-02-25', 'T1-2022-02-25', 'in-equity-xnse-t1-2022-02-25-t1', '2022-02-28'],
    ['2022-02-25', 'T1-2022-03-25', 'in-equity-xnse-t1-2022-03-25-t2', '2022-03-02'], // 03-01 Mahashivratri
    ['2022-03-24', 'T1-2022-03-25', 'in-equity-xnse-t1-2022-03-25-t2', '2022-03-28'],
    ['2022-03-25', 'T1-2022-03-25', 'in-equity-xnse-t1-2022-03-25-t1', '2022-03-28'],
    ['2022-11-25', 'T1-2022-11-25', 'in-equity-xnse-t1-2022-11-25-t1', '2022-11-28'],
    ['2023-01-25', 'T1-2023-01-27', 'in-equity-xnse-t1-2023-01-27-t2', '2023-01-30'], // 01-26 Republic Day
    ['2023-01-27', undefined, 'in-equity-xnse-t1', '2023-01-30'], // every stock T+1
    ['2023-01-27', 'T1-2022-02-25', 'in-equity-xnse-t1', '2023-01-30'], // the default answers every segment
  ])('trade %s segment %s → %s, settles %s', (trade, segment, rule, settlement) => {
    const d = decide(trade, segment);
    expect([d.rule.id, d.settlementDate]).toEqual([rule, settlement]);
  });

  it('XBOM answers as XNSE, with its own rules', () => {
    const d = decide('2022-03-25', 'T1-2022-03-25', 'XBOM');
    expect([d.rule.id, d.settlementDate, d.rule.tradingCalendar?.id]).toEqual(['in-equity-xbom-t1-2022-03-25-t1', '2022-03-28', 'XBOM']);
  });

  it('in the window a trade without its tranche is NO_RULE whose hint says to pass the segment', () => {
    let err: unknown;
    try {
      decide('2022-06-01');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoRuleError);
    const message = (err as NoRuleError).message;
    expect(message).toContain(
      'it falls where the market default has no rule, from 2022-02-25 to 2023-01-26 (the market moved by segment then)',
    );
    expect(message).toContain(`pass the instrument's segment, one of ${TRANCHES.map((t) => `T1-${t}`).join(', ')}`);
  });

  it('a segment the pack does not know is NO_RULE in the window too, never a silent default', () => {
    expect(() => decide('2022-06-01', 'T1-2022-06-03')).toThrow(
      /segment "T1-2022-06-03" or the market default\) on trade_date 2022-06-01: it falls where the market default has no rule/,
    );
  });
});

describe('India: settlement holidays move the settlement date (press examples)', () => {
  it.each([
    // Financial Express, 2022-08-12: settlement holiday 2022-08-16 (Parsi New Year), trading holiday 08-15
    ['2022-08-12', 'T1-2022-02-25', '2022-08-17'], // T+1
    ['2022-08-16', 'T1-2022-02-25', '2022-08-17'],
    ['2022-08-12', 'T1-2023-01-27', '2022-08-18'], // T+2
    ['2022-08-16', 'T1-2023-01-27', '2022-08-18'],
    // Financial Express, 2023-05-05: trades of 4 and 5 May settle on 8 May (T+1 for all)
    ['2023-05-04', undefined, '2023-05-08'],
    ['2023-05-05', undefined, '2023-05-08'],
  ])('trade %s segment %s settles %s', (trade, segment, settlement) => {
    expect(decide(trade, segment).settlementDate).toBe(settlement);
  });
});

describe('India: each tranche has a double settlement day (rules transition)', () => {
  const doubles = (segment: string, around: string) =>
    transitionTable(ruleset, 'EQUITY', 'XNSE', parseDay(around), 5, segment)
      .filter((r) => r.doubleSettlementRules.length > 0)
      .map((r) => [r.tradeDate, r.settlementDate, r.cycleDays]);

  it.each([
    // tranche, last T+2 trade, first T+1 trade, the day both settle
    ['2022-02-25', '2022-02-24', '2022-02-28'],
    ['2022-03-25', '2022-03-24', '2022-03-28'],
    ['2022-04-29', '2022-04-28', '2022-05-02'],
    ['2022-05-27', '2022-05-26', '2022-05-30'],
    ['2022-06-24', '2022-06-23', '2022-06-27'],
    ['2022-07-29', '2022-07-28', '2022-08-01'],
    ['2022-08-26', '2022-08-25', '2022-08-29'],
    ['2022-09-30', '2022-09-29', '2022-10-03'],
    ['2022-10-28', '2022-10-27', '2022-10-31'],
    ['2022-11-25', '2022-11-24', '2022-11-28'],
    ['2022-12-30', '2022-12-29', '2023-01-02'],
    ['2023-01-27', '2023-01-25', '2023-01-30'],
  ])('T1-%s: T+2 trades of %s and T+1 trades of the move settle together on %s', (tranche, lastT2, both) => {
    expect(doubles(`T1-${tranche}`, tranche)).toEqual([
      [lastT2, both, 2],
      [tranche, both, 1],
    ]);
  });

  it('tplus rules transition --segment prints it; without --segment the window is NO_RULE with the hint', async () => {
    const args = [
      'rules',
      'transition',
      '--rules',
      dir.path,
      '--market',
      'XBOM',
      '--asset-class',
      'EQUITY',
      '--around',
      '2023-01-27',
      '--days',
      '3',
    ];
    const ok = await cli([...args, '--segment', 'T1-2023-01-27', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const rows = ok.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tradeDate: string; settlementDate: string | null; doubleSettlementRules: string[] });
    expect(rows.filter((r) => r.doubleSettlementRules.length > 0).map((r) => [r.tradeDate, r.settlementDate])).toEqual([
      ['2023-01-25', '2023-01-30'],
      ['2023-01-27', '2023-01-30'],
    ]);
    const bad = await cli(args);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("pass the instrument's segment");
  });
});

describe('server/rules/README.md: the India section shows what the CLI prints', () => {
  const text = readFileSync(resolve(RULES_DIR, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf("### India's phased T+1"), text.indexOf('### XSES and XKRX'));
  const blocks = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

  it('the transition rows and the NO_RULE line', async () => {
    expect(blocks).toHaveLength(2);
    const args = ['rules', 'transition', '--rules', dir.path, '--market', 'XNSE', '--asset-class', 'EQUITY', '--around', '2022-03-25'];
    const table = await cli([...args, '--segment', 'T1-2022-03-25', '--days', '2']);
    expect(table.code, table.stderr).toBe(0);
    const shown = (blocks[0] ?? '').split('\n').filter((l) => l !== '' && l !== '...');
    expect(table.stdout.split('\n').slice(0, shown.length)).toEqual(shown);
    const miss = await cli(['settle', '--rules', dir.path, '--market', 'XNSE', '--asset-class', 'EQUITY', '--trade-date', '2022-06-01']);
    expect(miss.code).not.toBe(0);
    for (const part of (blocks[1] ?? '').trim().split(', ..., ')) expect(miss.stderr).toContain(part);
  });
});
