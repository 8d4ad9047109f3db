import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommands } from '../../server/src/cli/replay-commands.js';
import { startTestSidecar, type TestSidecar } from '../integration/sidecar-harness.js';
import { BUNDLED_VERSION } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';
import { segmentPack } from '../support/segment-pack.js';

// `tplus settle` and `tplus explain` accept --settlement-type, --option-days, --settlement-date and
// --segment (JSON Lines: settlement_type, option_days, settlement_date, segment) with the same answers
// and error codes as the sidecar.
const XNYS = ['--market', 'XNYS', '--asset-class', 'EQUITY'];
const pack = segmentPack();
let sidecar: TestSidecar;
beforeAll(async () => {
  sidecar = await startTestSidecar({ rulesDir: pack.path });
});
afterAll(async () => {
  await sidecar.stop();
  pack.remove();
});

describe('tplus settle with a settlement type or a segment', () => {
  it.each([
    [['--settlement-type', 'CASH'], '2024-07-03'],
    [['--settlement-type', 'NEXT_DAY'], '2024-07-05'],
    [['--settlement-type', 'SELLERS_OPTION', '--option-days', '2'], '2024-07-08'],
    [['--settlement-type', 'WHEN_ISSUED', '--settlement-date', '2024-07-15'], '2024-07-15'],
    [['--settlement-type', 'REGULAR'], '2024-07-05'],
  ])('%j on trade date 2024-07-03 prints %s', async (extra, expected) => {
    const r = await cli(['settle', ...XNYS, '--trade-date', '2024-07-03', ...extra]);
    expect(r).toMatchObject({ code: 0, stdout: `${expected}\n`, stderr: '' });
  });

  it('--json names the type, its business days and the rule text it comes from', async () => {
    const r = await cli([
      'settle',
      ...XNYS,
      '--trade-date',
      '2024-07-03',
      '--settlement-type',
      'SELLERS_OPTION',
      '--option-days',
      '2',
      '--json',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      settlement_date: '2024-07-08',
      rule_id: 'us-equity-xnys-t1',
      settlement_type: 'SELLERS_OPTION',
      business_days: 2,
      settlement_type_source: expect.stringContaining('NYSE Rules 64 and 178'),
    });
  });

  it('a REGULAR answer keeps its JSON shape (no type fields)', async () => {
    const r = await cli(['settle', ...XNYS, '--trade-date', '2024-07-03', '--json']);
    expect(Object.keys(JSON.parse(r.stdout) as object)).not.toContain('settlement_type');
  });

  it('--segment picks the segment rule over the market default', async () => {
    const base = ['settle', '--market', 'XTST', '--asset-class', 'EQUITY', '--trade-date', '2022-03-25', '--rules', pack.path, '--json'];
    const seg = JSON.parse((await cli([...base, '--segment', 'TRANCHE-A'])).stdout) as Record<string, unknown>;
    const dflt = JSON.parse((await cli(base)).stdout) as Record<string, unknown>;
    expect(seg).toMatchObject({ rule_id: 'xtst-tranche-a-t1', segment: 'TRANCHE-A', settlement_date: '2022-03-28' });
    expect(dflt).toMatchObject({ rule_id: 'xtst-default-t2', settlement_date: '2022-03-29' });
    expect(dflt).not.toHaveProperty('segment');
  });

  // The core names the request field (option_days); on the command line the user typed a flag, so the
  // error names the flag, as NOT_A_TRADING_DAY says "pass --allow-non-trading-day".
  it.each([
    [
      ['--settlement-type', 'SELLERS_OPTION', '--option-days', '1'],
      "INVALID_ARGUMENT: --option-days 1 is outside the seller's option bounds",
    ],
    [
      ['--settlement-type', 'CASH', '--option-days', '3'],
      'INVALID_ARGUMENT: --option-days 3 applies only to --settlement-type SELLERS_OPTION, not CASH',
    ],
    [['--option-days', '3'], 'INVALID_ARGUMENT: --option-days 3 applies only to --settlement-type SELLERS_OPTION, not REGULAR'],
    [
      ['--settlement-type', 'WHEN_ISSUED', '--settlement-date', '2024-07-04'],
      'INVALID_ARGUMENT: --settlement-date 2024-07-04 is not a settlement day',
    ],
    [
      ['--settlement-type', 'WHEN_ISSUED', '--settlement-date', '2024-07-02'],
      'INVALID_ARGUMENT: --settlement-date 2024-07-02 is before the trade date',
    ],
    [
      ['--settlement-type', 'WHEN_ISSUED', '--settlement-date', '2024-02-30'],
      'INVALID_DATE: --settlement-date "2024-02-30" is not a valid YYYY-MM-DD date',
    ],
    [
      ['--settlement-type', 'WHEN_ISSUED'],
      'INVALID_ARGUMENT: --settlement-date (the announced date) is required with --settlement-type WHEN_ISSUED',
    ],
    [
      ['--settlement-type', 'CASH', '--settlement-date', '2024-07-05'],
      'INVALID_ARGUMENT: --settlement-date applies only to --settlement-type WHEN_ISSUED, not CASH',
    ],
  ])('%j exits 1 with the decision error on one line, naming the flag', async (extra, message) => {
    const r = await cli(['settle', ...XNYS, '--trade-date', '2024-07-03', ...extra]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/option_days|settlement_type|settlement_date/);
  });

  it('a settlement type the rule does not define names --settlement-type (settle and explain)', async () => {
    const argv = ['--market', 'XTSE', '--asset-class', 'EQUITY', '--trade-date', '2024-07-03', '--settlement-type', 'CASH'];
    for (const command of ['settle', 'explain']) {
      const r = await cli([command, ...argv]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^tplus: INVALID_ARGUMENT: --settlement-type CASH is not defined by rule \S+ \(it defines only REGULAR\)$/m);
    }
  });

  it.each([
    [['--settlement-type', 'T_PLUS_5'], '--settlement-type "T_PLUS_5" is not one of REGULAR, CASH, NEXT_DAY, SELLERS_OPTION, WHEN_ISSUED'],
    [['--settlement-type', 'SELLERS_OPTION', '--option-days', 'two'], '--option-days "two" is not a whole number of business days'],
    [['--segment', 'tranche a'], '--segment "tranche a" is not an upper-case letter or digit'],
  ])('a malformed flag %j is a usage error (exit 2) before any decision', async (extra, message) => {
    const r = await cli(['settle', ...XNYS, '--trade-date', '2024-07-03', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('--input - reads settlement_type, option_days, settlement_date and segment per line', async () => {
    const input = [
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","settlement_type":"CASH"}',
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","settlement_type":"SELLERS_OPTION","option_days":2}',
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","settlement_type":"SELLERS_OPTION","option_days":"2"}',
      '{"trade_date":"2024-07-01","asset_class":"EQUITY","market":"XNYS","settlement_type":"WHEN_ISSUED","settlement_date":"2024-07-15"}',
      '{"trade_date":"2022-03-25","asset_class":"EQUITY","market":"XTST","segment":"TRANCHE-B"}',
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","settlement_type":"BOGUS"}',
    ].join('\n');
    const r = await cli(['settle', '--input', '-', '--json', '--rules', pack.path], `${input}\n`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toMatchObject([
      { settlement_date: '2024-07-03', settlement_type: 'CASH' },
      { settlement_date: '2024-07-08', settlement_type: 'SELLERS_OPTION', business_days: 2 },
      { error: { code: 'INVALID_ARGUMENT', message: 'line 3: option_days must be a whole number, got "2"' } },
      { settlement_date: '2024-07-15', settlement_type: 'WHEN_ISSUED' },
      { settlement_date: '2022-03-28', rule_id: 'xtst-tranche-b-t1', segment: 'TRANCHE-B' },
      { error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('line 6: settlement_type "BOGUS" is not one of') } },
    ]);
    expect(r.stderr).toBe('settle: 2 of 6 lines failed\n');
  });

  it('--input keeps naming the JSON field (option_days, settlement_type, settlement_date, segment), not the flag', async () => {
    const input = [
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","settlement_type":"SELLERS_OPTION","option_days":1}',
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","settlement_type":"CASH","option_days":3}',
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","settlement_type":"WHEN_ISSUED","settlement_date":"2024-07-04"}',
      '{"trade_date":"2024-07-03","asset_class":"EQUITY","market":"XNYS","segment":"tranche a"}',
    ].join('\n');
    const r = await cli(['settle', '--input', '-', '--json'], `${input}\n`);
    const messages = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { error: { message: string } }).error.message);
    expect(messages).toEqual([
      expect.stringMatching(/^line 1: option_days 1 is outside the seller's option bounds/),
      'line 2: option_days 3 applies only to settlement_type SELLERS_OPTION, not CASH',
      expect.stringMatching(/^line 3: settlement_date 2024-07-04 is not a settlement day/),
      expect.stringMatching(/^line 4: segment "tranche a" is not an upper-case letter or digit/),
    ]);
    expect(r.stdout).not.toContain('--');
  });

  it('--ruleset-version N --sidecar ADDR passes the type and segment to the sidecar', async () => {
    const base = ['settle', '--ruleset-version', String(BUNDLED_VERSION), '--sidecar', sidecar.addresses.unix, '--json'];
    const replay = (argv: readonly string[]) => cli(argv, '', replayCommands({}));
    const typed = await replay([...base, ...XNYS, '--trade-date', '2024-07-03', '--settlement-type', 'NEXT_DAY']);
    expect(JSON.parse(typed.stdout)).toMatchObject({ settlement_date: '2024-07-05', settlement_type: 'NEXT_DAY', business_days: 1 });
    const seg = await replay([
      ...base,
      '--market',
      'XTST',
      '--asset-class',
      'EQUITY',
      '--trade-date',
      '2022-03-25',
      '--segment',
      'TRANCHE-A',
    ]);
    expect(JSON.parse(seg.stdout)).toMatchObject({ rule_id: 'xtst-tranche-a-t1', segment: 'TRANCHE-A' });
    const refused = await replay([
      ...base,
      ...XNYS,
      '--trade-date',
      '2024-07-03',
      '--settlement-type',
      'SELLERS_OPTION',
      '--option-days',
      '1',
    ]);
    expect(refused.code).toBe(1);
    // The sidecar's message names the wire field; the command line names the flag the user typed.
    expect(refused.stderr).toMatch(/INVALID_ARGUMENT \(INVALID_ARGUMENT\): --option-days 1 is outside/);
  });
});

describe('tplus explain with a settlement type or a segment', () => {
  it('shows the type, its source, and the days counted', async () => {
    const r = await cli(['explain', ...XNYS, '--trade-date', '2024-07-03', '--settlement-type', 'NEXT_DAY']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('settles 2024-07-05');
    expect(r.stdout).toContain('settlement type NEXT_DAY: 1 settlement business days after the trade date');
    expect(r.stdout).toContain('settlement type source: NYSE Rule 64T(a)(ii)');
    expect(r.stdout).toContain('2024-07-04 skipped: Independence Day');
  });

  it('shows the segment precedence', async () => {
    const r = await cli([
      'explain',
      '--market',
      'XTST',
      '--asset-class',
      'EQUITY',
      '--trade-date',
      '2022-03-25',
      '--segment',
      'TRANCHE-B',
      '--rules',
      pack.path,
    ]);
    expect(r.stdout).toContain('the segment rule xtst-tranche-b-t1 takes precedence over the market default');
  });
});
