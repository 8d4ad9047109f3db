import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli, type ExtraCommands } from '../../server/src/cli/run-cli.js';
import { RULES_DIR, TODAY } from './bundled.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The root package's version, what `tplus --version` prints. */
export const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string })
  .version;

/** Runs the CLI in-process with captured streams (fast; for behaviour), with optional extra commands. */
export async function cli(argv: readonly string[], stdinText = '', extra: ExtraCommands = {}): Promise<CliResult> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  stdin.end(stdinText);
  const code = await runCli(argv, { stdin, stdout, stderr, today: TODAY, defaultRulesDir: RULES_DIR, version: VERSION }, extra);
  return { code, stdout: out, stderr: err };
}

export const MAIN = resolve(import.meta.dirname, '../../server/dist/main.js');

/** Runs the built `tplus` binary as a real child process (for exit codes and streams); `env` adds variables. */
export function cliProcess(argv: readonly string[], stdinText = '', env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN, ...argv], { env: { ...process.env, TPLUS_TODAY: '2026-11-27', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout: out, stderr: err }));
    child.stdin.end(stdinText);
  });
}
