/**
 * Issue 13: the CLI refuses an identifier no rule pack can contain before loading a pack: exit 2
 * (usage error) naming the flag and a shortened value; a JSON Lines input line is that line's
 * INVALID_ARGUMENT naming the field.
 */
import { describe, expect, it } from 'vitest';
import { cli, cliProcess } from '../support/run-cli.js';

const M100 = 'M'.repeat(100);
const SHOWN = `"${'M'.repeat(40)}…(100 chars)"`;
const TRADE = ['--asset-class', 'EQUITY', '--trade-date', '2024-05-28'];

describe('identifier flags of tplus settle, explain and calendar', () => {
  it.each([
    ['settle', ['settle', '--market', M100, ...TRADE], `settle: --market ${SHOWN} is not an ISO 10383 MIC`],
    ['explain', ['explain', '--market', M100, ...TRADE], `explain: --market ${SHOWN} is not an ISO 10383 MIC`],
    [
      'settle (asset class)',
      ['settle', '--market', 'XNYS', '--asset-class', 'equity', '--trade-date', '2024-05-28'],
      'settle: --asset-class "equity" is not an upper-case letter',
    ],
    [
      'calendar',
      ['calendar', '--id', `${M100}!`, '--from', '2024-01-01', '--to', '2024-01-31'],
      `calendar: --id "${'M'.repeat(40)}…(101 chars)" is not a letter or digit`,
    ],
    [
      'settle (8 MiB market)',
      ['settle', '--market', 'X'.repeat(8 * 1024 * 1024), ...TRADE],
      `settle: --market "${'X'.repeat(40)}…(8388608 chars)"`,
    ],
  ])('%s: exit 2 naming the flag', async (_what, argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`tplus: ${message}`), r.stderr.slice(0, 300)).toBe(true);
    expect(r.stderr.length).toBeLessThan(5_000);
  });

  it('the built binary exits 2 too', async () => {
    const r = await cliProcess(['settle', '--market', M100, ...TRADE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`settle: --market ${SHOWN}`);
  });

  it('settle --input: a malformed market is that line’s INVALID_ARGUMENT naming market; the other lines are answered', async () => {
    const lines = [
      { trade_date: '2024-05-28', asset_class: 'EQUITY', market: M100 },
      { trade_date: '2024-05-28', asset_class: 'EQUITY', market: 'XNYS' },
    ];
    const r = await cli(['settle', '--input', '-'], lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(r.code).toBe(1);
    const [bad, good] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { error?: { code: string; message: string }; settlement_date?: string });
    expect(bad?.error).toEqual({
      code: 'INVALID_ARGUMENT',
      message: `line 1: market ${SHOWN} is not an ISO 10383 MIC (4 upper-case letters or digits)`,
    });
    expect(good?.settlement_date).toBe('2024-05-29');
  });
});
