import { describe, expect, it } from 'vitest';
import { BUNDLED_VERSION } from '../support/bundled.js';
import { cli, cliProcess } from '../support/run-cli.js';

describe('tplus settle', () => {
  it('prints the settlement date', async () => {
    const r = await cli(['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-05-24']);
    expect(r).toEqual({ code: 0, stdout: '2024-05-29\n', stderr: '' });
  });

  it('--json prints one object with the decision and its provenance', async () => {
    const r = await cli(['settle', '--market=XNYS', '--asset-class=EQUITY', '--trade-date=2024-05-28', '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(d).toMatchObject({
      settlement_date: '2024-05-29',
      rule_id: 'us-equity-xnys-t1',
      cycle_days: 1,
      calendar_id: 'US-SETTLEMENT',
      ruleset_version: BUNDLED_VERSION,
      ruleset_source: 'bundled',
    });
    expect(d['ruleset_hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [['--trade-date', '2024-02-30'], 'INVALID_DATE: trade_date "2024-02-30" is not a valid YYYY-MM-DD date'],
    [['--trade-date', '2025-01-09'], 'NOT_A_TRADING_DAY: trade_date 2025-01-09 is not a trading day on XNYS'],
  ])('a decision error exits 1 with one line on stderr: %j', async (extra, message) => {
    const r = await cli(['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', ...extra]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('an unknown market is NO_RULE, never a default', async () => {
    const r = await cli(['settle', '--market', 'XXXX', '--asset-class', 'EQUITY', '--trade-date', '2024-05-28']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NO_RULE');
  });

  it('NOT_A_TRADING_DAY names the flag that decides anyway (--allow-non-trading-day), not the wire field', async () => {
    const r = await cli(['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2025-01-09']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOT_A_TRADING_DAY: .*pass --allow-non-trading-day to decide anyway/);
    expect(r.stderr).not.toMatch(/allow_non_trading_day/);
  });

  it('--allow-non-trading-day decides a trade on a closed day', async () => {
    const r = await cli(['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2025-01-09', '--allow-non-trading-day']);
    expect(r).toMatchObject({ code: 0, stdout: '2025-01-10\n' });
  });

  it('--input - answers one line per input line, in order; bad lines do not stop the others', async () => {
    const input = [
      '{"trade_date":"2024-05-24","asset_class":"EQUITY","market":"XNYS"}',
      'not json',
      '{"trade_date":"2024-02-30","asset_class":"EQUITY","market":"XNYS"}',
      '[1,2]',
      '{"trade_date":"2024-05-28","asset_class":"EQUITY"}',
      '{"trade_date":"2024-05-28","asset_class":"ETF","market":"ARCX"}',
      '{"trade_date":"2025-01-09","asset_class":"EQUITY","market":"XNYS","allow_non_trading_day":true}',
    ].join('\n');
    const r = await cli(['settle', '--input', '-', '--json'], `${input}\n`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, { code: string } | string>);
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatchObject({ settlement_date: '2024-05-29' });
    expect(lines[1]).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(lines[2]).toMatchObject({ error: { code: 'INVALID_DATE' } });
    expect(lines[3]).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(lines[4]).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: 'line 5: market must be a string, got nothing' } });
    expect(lines[5]).toMatchObject({ settlement_date: '2024-05-29', rule_id: 'us-etf-arcx-t1' });
    expect(lines[6]).toMatchObject({ settlement_date: '2025-01-10' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('settle: 4 of 7 lines failed\n');
  });

  it('--input cannot be mixed with single-trade flags', async () => {
    const r = await cli(['settle', '--input', '-', '--market', 'XNYS']);
    expect(r.code).toBe(2);
  });
});

describe('tplus explain', () => {
  it('names the rule, why it matched, and every day skipped with the holiday', async () => {
    const r = await cli(['explain', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-10-11']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('settles 2024-10-15');
    expect(r.stdout).toContain('* us-equity-xnys-t1 T+1 2024-05-28..9999-12-31: trade_date 2024-10-11 is within');
    expect(r.stdout).toContain('us-equity-xnys-t2 T+2 2017-09-05..2024-05-27: trade_date 2024-10-11 is after its end 2024-05-27');
    expect(r.stdout).toContain('2024-10-12 skipped: weekend');
    expect(r.stdout).toContain('2024-10-14 skipped: Columbus Day (USFED)');
    expect(r.stdout).toContain('2024-10-15 business day 1');
  });

  it('--json carries the decision and the trace', async () => {
    const r = await cli(['explain', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-05-24', '--json']);
    const e = JSON.parse(r.stdout) as {
      settlement_date: string;
      steps: { date: string; counted: boolean; skippedBecause: string | null }[];
    };
    expect(e.settlement_date).toBe('2024-05-29');
    expect(e.steps.map((s) => [s.date, s.counted, s.skippedBecause])).toEqual([
      ['2024-05-25', false, 'weekend'],
      ['2024-05-26', false, 'weekend'],
      ['2024-05-27', false, 'Memorial Day (XNYS); Memorial Day (USFED)'],
      ['2024-05-28', true, null],
      ['2024-05-29', true, null],
    ]);
  });
});

describe('tplus rules transition', () => {
  it('flags 2024-05-29 as the double settlement day of the US T+1 cutover', async () => {
    const r = await cli([
      'rules',
      'transition',
      '--market',
      'XNYS',
      '--asset-class',
      'EQUITY',
      '--around',
      '2024-05-28',
      '--days',
      '10',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tradeDate: string; settlementDate: string | null; doubleSettlementRules: string[] });
    expect(rows).toHaveLength(21);
    const doubles = rows.filter((x) => x.doubleSettlementRules.length > 0);
    expect(doubles.map((x) => [x.tradeDate, x.settlementDate])).toEqual([
      ['2024-05-24', '2024-05-29'],
      ['2024-05-28', '2024-05-29'],
    ]);
    expect(doubles[0]?.doubleSettlementRules).toEqual(['us-equity-xnys-t1', 'us-equity-xnys-t2']);
  });

  it('flags 2017-09-07 for the T+3 → T+2 cutover, as a readable table', async () => {
    const r = await cli(['rules', 'transition', '--market', 'XNAS', '--asset-class', 'ETF', '--around', '2017-09-05', '--days', '4']);
    expect(r.stdout).toMatch(/2017-09-01 {2}FRI {2}2017-09-07 {2}3 .*DOUBLE SETTLEMENT DAY/);
    expect(r.stdout).toMatch(/2017-09-05 {2}TUE {2}2017-09-07 {2}2 .*DOUBLE SETTLEMENT DAY/);
    expect(r.stdout).toMatch(/2017-09-04 {2}MON .*not a trading day: Labor Day/);
  });
});

describe('tplus calendar', () => {
  it('lists business days and named holidays', async () => {
    const r = await cli(['calendar', '--id', 'US-SETTLEMENT', '--from', '2024-11-08', '--to', '2024-11-12']);
    expect(r.stdout.split('\n')).toEqual([
      'US-SETTLEMENT (US equity settlement days (DTC)) 2024-11-08..2024-11-12: 2 business days, 1 holidays',
      '2024-11-08 FRI business day',
      '2024-11-09 SAT weekend',
      '2024-11-10 SUN weekend',
      '2024-11-11 MON holiday: Veterans Day (USFED)',
      '2024-11-12 TUE business day',
      '',
    ]);
  });

  it('refuses a range beyond the covered range', async () => {
    const r = await cli(['calendar', '--id', 'XNYS', '--from', '2035-12-30', '--to', '2036-01-02']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CALENDAR_OUT_OF_RANGE: to 2036-01-02 is outside calendar XNYS, which covers 2000-01-01..2035-12-31');
  });

  it('an unknown calendar is CALENDAR_NOT_FOUND', async () => {
    const r = await cli(['calendar', '--id', 'NOPE', '--from', '2024-01-01', '--to', '2024-01-02']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CALENDAR_NOT_FOUND');
  });
});

describe('exit codes of the real binary', () => {
  it.each([
    [['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-05-24'], 0],
    [['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-02-30'], 1],
    [['settle', '--market', 'XNYS', '--asset-class', 'EQUITY'], 2],
    [['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-05-24', '--frobnicate'], 2],
    [['frobnicate'], 2],
    [[], 2],
    [['rules', 'validate'], 0],
    [['help'], 0],
  ])('tplus %j exits %i', async (argv, code) => {
    const r = await cliProcess(argv);
    expect(r.code).toBe(code);
    if (code !== 0) expect(r.stderr.split('\n')[0]).toMatch(/^tplus: /);
  });
});
