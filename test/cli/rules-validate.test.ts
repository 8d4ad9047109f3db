import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RULES_DIR } from '../support/bundled.js';
import { cli } from '../support/run-cli.js';
import { SEGMENT_RULES, segmentPack } from '../support/segment-pack.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function pack(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-pack-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const CALENDAR = `calendars:
  - id: TEST
    name: test calendar
    kind: settlement
    weekend: [SAT, SUN]
    covers: { from: 2000-01-01, to: 2035-12-31 }
    source: test
    holidays:
      - name: New Year's Day
        fixed: { month: 1, day: 1, observance: sun_to_mon }
`;

function rule(id: string, from: string, to: string, extra = ''): string {
  return `  - id: ${id}
    name: ${id}
    asset_class: EQUITY
    market: XTST
    effective: { from: ${from}, to: ${to} }
    cycle_days: 2
    settlement_calendar: TEST
    source: test
${extra}`;
}

describe('tplus rules validate', () => {
  it('accepts the bundled pack', async () => {
    const r = await cli(['rules', 'validate', RULES_DIR]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: .* calendars, \d+ rules, sha256 [0-9a-f]{64}$/m);
  });

  it('rejects two overlapping rules for one key, naming both rule ids and the file', async () => {
    const dir = pack({
      'cal.yaml': CALENDAR,
      'rules.yaml': `rules:\n${rule('old-t2', '2010-01-01', '2024-05-28')}${rule('new-t1', '2024-05-28', '9999-12-31')}`,
    });
    const r = await cli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'rules.yaml:2: error: rules[0]: rules old-t2 (2010-01-01..2024-05-28) and new-t1 (2024-05-28..9999-12-31) overlap for EQUITY XTST',
    );
    expect(r.stderr).toContain('(new-t1 at');
    expect(r.stderr).toContain('rules.yaml:10)');
  });

  it('rejects 2024-02-30 with file and line', async () => {
    const dir = pack({ 'cal.yaml': CALENDAR, 'rules.yaml': `rules:\n${rule('bad-date', '2024-02-30', '9999-12-31')}` });
    const r = await cli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rules.yaml:6: error: rules[0].effective.from: invalid date "2024-02-30"');
  });

  it('lists every problem at once: schema, dates, missing calendars, gaps, unions, ad-hoc entries', async () => {
    const calendars = `${CALENDAR}    adhoc:
      - { date: 2024-06-31, name: bad, reason: test, closes_settlement: false }
      - { date: 2024-07-01, name: no flag, reason: test }
  - id: BROKEN-UNION
    name: union with a missing member
    kind: settlement
    union: [TEST, NOPE]
    source: test
    colour: blue
`;
    const rules = `rules:\n${rule('a', '2000-01-01', '2009-12-31')}${rule('b', '2011-01-01', '9999-12-31')}${rule('c', '2000-01-01', '2001-01-01').replace('XTST', 'xtst').replace('settlement_calendar: TEST', 'settlement_calendar: MISSING')}${rule('d', '2000-01-01', '2001-01-01', '    cycle_days_extra: 1\n').replace('XTST', 'XTS2').replace('cycle_days: 2', 'cycle_days: -1')}`;
    const dir = pack({ 'cal.yaml': calendars, 'rules.yaml': rules });
    const r = await cli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    const expected = [
      /cal\.yaml:12: error: calendars\[0\]\.adhoc\[0\]\.date: invalid date "2024-06-31"/,
      /cal\.yaml:13: error: calendars\[0\]\.adhoc\[1\]\.closes_settlement: required field is missing/,
      /cal\.yaml:19: error: calendars\[1\]\.colour: unknown field "colour"/,
      /cal\.yaml:14: error: calendars\[1\]: union member calendar NOPE does not exist/,
      /rules\.yaml:2: error: rules\[0\]: gap in EQUITY XTST history: no rule between a ending 2009-12-31 and b starting 2011-01-01/,
      /rules\.yaml:\d+: error: rules\[2\]\.market: "xtst" is not an ISO 10383 MIC/,
      /rules\.yaml:\d+: error: rules\[3\]\.cycle_days_extra: unknown field/,
      /rules\.yaml:\d+: error: rules\[3\]\.cycle_days: -1 is outside 0\.\.30/,
    ];
    for (const re of expected)
      expect(
        lines.some((l) => re.test(l)),
        `${re} in\n${r.stderr}`,
      ).toBe(true);
    expect(lines.at(-1)).toMatch(/rules validate: .*: \d+ error\(s\)/);
  });

  it('reports a rule whose calendar does not exist and a calendar that ends before the rule', async () => {
    const shortCal = CALENDAR.replace('to: 2035-12-31', 'to: 2020-12-31');
    const dir = pack({
      'cal.yaml': shortCal,
      'rules.yaml': `rules:\n${rule('x', '2010-01-01', '2025-12-31')}${rule('y', '2026-01-01', '9999-12-31').replace('TEST', 'GHOST')}`,
    });
    const r = await cli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rule x ends 2025-12-31, after settlement_calendar TEST stops covering (2020-12-31)');
    expect(r.stderr).toContain('settlement_calendar GHOST does not exist');
  });

  it('warns (exit 0) when an open-ended rule relies on a calendar ending within 365 days of today', async () => {
    const soon = CALENDAR.replace('to: 2035-12-31', 'to: 2027-06-30');
    const dir = pack({ 'cal.yaml': soon, 'rules.yaml': `rules:\n${rule('x', '2010-01-01', '9999-12-31')}` });
    const r = await cli(['rules', 'validate', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: rules[0]: settlement_calendar TEST covers only until 2027-06-30, within 365 days of today');
  });

  it('reports YAML syntax errors with their line', async () => {
    const dir = pack({ 'bad.yaml': 'rules:\n  - id: x\n    name: [unclosed\n' });
    const r = await cli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+: error: /);
  });
});

describe('tplus rules diff', () => {
  it('shows which trade dates an emergency closure would move, before it is published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tplus-diff-'));
    dirs.push(dir);
    cpSync(RULES_DIR, dir, { recursive: true });
    const file = join(dir, 'calendars', 'us.yaml');
    const text = readFileSync(file, 'utf8').replace(
      '    adhoc:\n',
      '    adhoc:\n      - { date: 2030-03-13, name: Emergency closure, reason: drill, closes_settlement: true }\n',
    );
    writeFileSync(file, text);
    const r = await cli(['rules', 'diff', RULES_DIR, dir, '--from', '2030-03-01', '--to', '2030-03-31']);
    expect(r.code).toBe(0);
    // 2030-03-12 (Tue) T+1 moved from 03-13 to 03-14; 03-13 itself is no longer a trading day.
    expect(r.stdout).toContain('XNYS EQUITY 2030-03-12..2030-03-13: 2 trade date(s)');
    expect(r.stdout).toContain('trade 2030-03-12: 2030-03-13 → 2030-03-14');
    expect(r.stdout).toContain('trade 2030-03-13: 2030-03-14 → NOT_A_TRADING_DAY');
    expect(r.stdout).not.toContain('XTSE');
  });

  it("shows a tranche moved later and a changed seller's option bound, each named, where only those changed", async () => {
    const before = segmentPack();
    const after = segmentPack({ 'rules/xtst-segments.yaml': SEGMENT_RULES.replace('from: 2022-02-25', 'from: 2022-03-04') });
    try {
      const us = join(after.path, 'rules', 'us-equities.yaml');
      writeFileSync(us, readFileSync(us, 'utf8').replace('max_calendar_days: 180', 'max_calendar_days: 60'));
      const r = await cli(['rules', 'diff', before.path, after.path, '--from', '2022-02-21', '--to', '2022-03-11']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('XTST EQUITY segment TRANCHE-A 2022-02-28..2022-03-03: 4 trade date(s)');
      expect(r.stdout).toContain('  trade 2022-02-28: 2022-03-01 → 2022-03-02');
      const later = await cli(['rules', 'diff', before.path, after.path, '--from', '2025-03-03', '--to', '2025-03-03']);
      expect(later.stdout).toContain('XNYS EQUITY SELLERS_OPTION 2025-03-03..2025-03-03: 1 trade date(s)');
      expect(later.stdout).toContain(
        '  trade 2025-03-03: terms: option_days at least 2 business days, settling at most 180 calendar days after the trade date → terms: option_days at least 2 business days, settling at most 60 calendar days after the trade date',
      );
    } finally {
      before.remove();
      after.remove();
    }
  });

  it('reports no difference between a pack and itself', async () => {
    const r = await cli(['rules', 'diff', RULES_DIR, RULES_DIR, '--from', '2024-01-01', '--to', '2024-12-31']);
    expect(r.stdout).toMatch(/^no trade date gets a different answer/);
  });
});
