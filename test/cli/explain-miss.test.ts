/**
 * Issue 18 items 2 and 7: `tplus explain` for a trade no rule matches prints what it can (the rules of
 * the key and where the date falls, or the closest known markets), and every NO_RULE message from the
 * CLI carries the same hint. Exit 1 (a decision error), as for settle.
 */
import { describe, expect, it } from 'vitest';
import { cli, cliProcess } from '../support/run-cli.js';

const XNYS_1999 = ['--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '1999-06-01'];
const XNSY = ['--market', 'XNSY', '--asset-class', 'EQUITY', '--trade-date', '2024-06-03'];

describe('tplus explain for a miss', () => {
  it('a date before the first rule: every rule of the key with its range, and where the date falls', async () => {
    const r = await cliProcess(['explain', ...XNYS_1999]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'no rule for EQUITY on XNYS on trade date 1999-06-01',
        'rules for this market and asset class:',
        '  us-equity-xnys-t3 T+3 2000-01-01..2017-09-04',
        '  us-equity-xnys-t2 T+2 2017-09-05..2024-05-27',
        '  us-equity-xnys-t1 T+1 2024-05-28..9999-12-31',
        'trade date 1999-06-01 is before the first rule of the key, us-equity-xnys-t3 (2000-01-01..2017-09-04)',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toContain(
      'tplus: NO_RULE: no rule for asset_class "EQUITY" on market "XNYS" on trade_date 1999-06-01: it is before the first rule',
    );
  });

  it('a misspelt market: the closest known markets, each with its asset classes', async () => {
    const r = await cli(['explain', ...XNSY]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no rule for EQUITY on XNSY on trade date 2024-06-03\n');
    expect(r.stdout).toContain('market "XNSY" has no rules at all; did you mean XNYS (EQUITY, ETF)');
    expect(r.stderr).toContain('tplus: NO_RULE:');
  });

  it('--json: the error and the typed detail on stdout', async () => {
    const r = await cli(['explain', ...XNYS_1999, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string }; no_rule: Record<string, unknown> };
    expect(out.error.code).toBe('NO_RULE');
    expect(out.no_rule).toMatchObject({
      position: 'before_first',
      next_rule_id: 'us-equity-xnys-t3',
      rules_of_key: [
        { rule_id: 'us-equity-xnys-t3', effective_from: '2000-01-01', effective_to: '2017-09-04', cycle_days: 3 },
        expect.anything(),
        expect.anything(),
      ],
    });
  });
});

describe('NO_RULE from tplus settle carries the hint', () => {
  it('settle --market XNSY', async () => {
    const r = await cli(['settle', ...XNSY]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'tplus: NO_RULE: no rule for asset_class "EQUITY" on market "XNSY" on trade_date 2024-06-03: market "XNSY" has no rules at all; did you mean XNYS (EQUITY, ETF)?\n',
    );
  });

  it('settle --market xnys: refused before any lookup, with the upper-case hint', async () => {
    const r = await cli(['settle', '--market', 'xnys', '--asset-class', 'EQUITY', '--trade-date', '2024-06-03']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'tplus: settle: --market "xnys" is not an ISO 10383 MIC (4 upper-case letters or digits); codes are upper case: did you mean "XNYS"?',
    );
  });
});
