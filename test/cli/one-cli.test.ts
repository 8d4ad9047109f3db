/**
 * Issue 15 part 4, one CLI: every command (and both servers) is parsed from its own flag table, so
 * `--help` works on each, usage errors print that command's usage only, and a value's source (flag or
 * TPLUS_* variable) is named in errors. Runs the built binary as a real child process.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliProcess } from '../support/run-cli.js';

const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** Every command as typed; each prints its own usage, starting `usage: tplus <command>`. */
const COMMANDS = [
  ['settle'],
  ['audit'],
  ['explain'],
  ['rules', 'validate'],
  ['rules', 'transition'],
  ['rules', 'diff'],
  ['calendar'],
  ['serve'],
  ['registry'],
  ['keygen'],
  ['publish'],
  ['history'],
  ['rollback'],
  ['diff'],
  ['drill'],
  ['pending'],
  ['approve'],
  ['reject'],
  ['audit-log'],
];

/** Lines only the top-level usage has: a command's own usage never lists the others. */
const TOP_LEVEL = /^commands:|usage: tplus <command>/m;

describe('tplus <command> --help', () => {
  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))(
    'tplus %s --help exits 0 and prints that command’s usage only',
    async (name, argv) => {
      const r = await cliProcess([...argv, '--help']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`usage: tplus ${name}`), r.stdout.slice(0, 200)).toBe(true);
      expect(r.stdout).not.toMatch(TOP_LEVEL);
      expect(r.stdout).toContain('--help');
    },
    30_000,
  );

  it('tplus rules --help lists the three rules subcommands, and nothing else', async () => {
    const r = await cliProcess(['rules', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: tplus rules validate[\s\S]*usage: tplus rules transition[\s\S]*usage: tplus rules diff/);
    expect(r.stdout).not.toMatch(TOP_LEVEL);
  });
});

describe('tplus --version', () => {
  it.each([['--version'], ['-V'], ['version']])('tplus %s prints the package version and exits 0', async (flag) => {
    const r = await cliProcess([flag]);
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('usage errors name the flag and print the command’s own usage only', () => {
  it.each([
    [
      ['settle', '--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-dat', '2024-05-24'],
      'tplus: settle: unknown flag --trade-dat (did you mean --trade-date?)',
      'settle',
    ],
    [
      ['calendar', '--id', 'XNYS', '--from', '2024-01-01', '--to', '2024-01-02', '--frobnicate'],
      'tplus: calendar: unknown flag --frobnicate',
      'calendar',
    ],
    [
      ['rules', 'transition', '--market', 'XNYS', '--asset-class', 'EQUITY', '--arond', '2024-05-28'],
      'tplus: rules transition: unknown flag --arond (did you mean --around?)',
      'rules transition',
    ],
    [['history', '--registy', '127.0.0.1:1'], 'tplus: history: unknown flag --registy (did you mean --registry?)', 'history'],
    [['serve', '--lisen', '127.0.0.1:0'], 'tplus serve: unknown flag --lisen (did you mean --listen?)', 'serve'],
    [['registry', '--signing-kye', 'k'], 'tplus registry: unknown flag --signing-kye (did you mean --signing-key?)', 'registry'],
    [['explain', '--market'], 'tplus: explain: --market needs a value', 'explain'],
  ])(
    '%j',
    async (argv, first, command) => {
      const r = await cliProcess(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const [line, ...rest] = r.stderr.split('\n');
      expect(line).toBe(first);
      expect(rest.join('\n').startsWith(`usage: tplus ${command}`), r.stderr.slice(0, 300)).toBe(true);
      expect(r.stderr).not.toMatch(TOP_LEVEL);
    },
    30_000,
  );

  it('an unknown command prints the top-level usage (it names every command)', async () => {
    const r = await cliProcess(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tplus: unknown command "frobnicate"');
    expect(r.stderr).toMatch(TOP_LEVEL);
  });
});

describe('environment variables are bound in the same table and named in errors', () => {
  it('TPLUS_LISTEN with a bad value stops tplus serve naming the variable', async () => {
    const r = await cliProcess(['serve', '--metrics-listen', 'off', '--socket', 'off'], '', { TPLUS_LISTEN: 'nope' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'tplus serve: invalid listen: TPLUS_LISTEN="nope": expected HOST:PORT (e.g. 127.0.0.1:50051, [::1]:50051), or "off"\n',
    );
  });

  it('TPLUS_TOKEN_FILE naming a missing file is a usage error naming the variable, before any call', async () => {
    const r = await cliProcess(['history', '--registry', '127.0.0.1:1'], '', { TPLUS_TOKEN_FILE: '/nonexistent/read.token' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tplus: history: TPLUS_TOKEN_FILE="/nonexistent/read.token": no such file');
  });

  it('a flag wins over its variable: --token-file with a missing file is named as the flag', async () => {
    const r = await cliProcess(['history', '--registry', '127.0.0.1:1', '--token-file', '/nonexistent/b'], '', {
      TPLUS_TOKEN_FILE: '/nonexistent/a',
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tplus: history: --token-file="/nonexistent/b": no such file');
  });

  it('TPLUS_ALLOW_DRILLS that is not a boolean stops tplus serve naming the variable', async () => {
    const r = await cliProcess(['serve', '--listen', 'off', '--socket', 'off', '--metrics-listen', 'off'], '', {
      TPLUS_ALLOW_DRILLS: 'maybe',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TPLUS_ALLOW_DRILLS="maybe": expected true or false');
  });
});
