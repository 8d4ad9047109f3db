/**
 * Issue 18 item 7 (messages): a mistyped command or subcommand says which one was probably meant and
 * prints a pointer to the command list, not the list itself; a mistyped flag prints the "did you mean"
 * and that command's own usage only (issue 15 did the flag part: pinned here so it stays).
 */
import { describe, expect, it } from 'vitest';
import { cli, cliProcess } from '../support/run-cli.js';

describe('did you mean', () => {
  it('an unknown command: the closest command name, exit 2, two lines', async () => {
    const r = await cli(['setle', '--market', 'XNYS']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('tplus: unknown command "setle" (did you mean settle?)\ntplus help lists every command.\n');
  });

  it('the built binary knows the commands main.ts adds (serve, registry, publish, ...)', async () => {
    const r = await cliProcess(['pubilsh']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tplus: unknown command "pubilsh" (did you mean publish?)');
    const s = await cliProcess(['serv']);
    expect(s.stderr.split('\n')[0]).toBe('tplus: unknown command "serv" (did you mean serve?)');
  });

  it('nothing close: the list of commands, as before', async () => {
    const r = await cli(['zzzzzzzz']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tplus: unknown command "zzzzzzzz"');
    expect(r.stderr).toContain('usage: tplus <command> [flags]');
  });

  it('an unknown subcommand of rules: the closest one', async () => {
    const r = await cli(['rules', 'valdate']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tplus: rules: unknown subcommand "valdate" (did you mean validate?)');
  });

  it('a mistyped flag: the closest flag of that command and its own usage only', async () => {
    const r = await cli(['explain', '--markt', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-06-03']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('tplus: explain: unknown flag --markt (did you mean --market?)');
    expect(r.stderr).toContain('usage: tplus explain --market MIC');
    expect(r.stderr).not.toContain('tplus settle');
    expect(r.stderr).not.toContain('commands:');
  });
});
