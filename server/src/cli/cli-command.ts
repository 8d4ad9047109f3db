import { ConfigError } from '../runtime/index.js';
import type { CommandSpec } from '../runtime/index.js';
import { formatUsage } from '../runtime/index.js';
import { HELP, parseCommand, type Env } from '../runtime/index.js';
import type { ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';
import type { CliIo } from './cli-io.js';

/** A command as the CLI runs it: its arguments (after the command name) and the I/O; resolves with the exit code. */
export type CommandRun = (args: readonly string[], io: CliIo) => Promise<number>;

/**
 * Binds a command's flag table to its body: parses (flags over TPLUS_* variables over defaults), answers
 * --help with that command's usage (exit 0), and turns every usage or configuration error, from the
 * parser or the body, into a UsageError carrying that command's usage (and only that one).
 */
export function cliCommand(spec: CommandSpec, body: (flags: ParsedArgs, io: CliIo) => number | Promise<number>, env: Env = {}): CommandRun {
  const usage = formatUsage(spec);
  return async (args, io) => {
    let flags: ParsedArgs | typeof HELP;
    try {
      flags = parseCommand(spec, args, env);
    } catch (e) {
      if (e instanceof UsageError || e instanceof ConfigError) throw new UsageError(`${spec.name}: ${e.message}`, usage);
      throw e;
    }
    if (flags === HELP) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    try {
      return await body(flags, io);
    } catch (e) {
      if (e instanceof UsageError && e.usage === undefined) throw new UsageError(e.message, usage);
      if (e instanceof ConfigError) throw new UsageError(`${spec.name}: ${e.message}`, usage);
      throw e;
    }
  };
}
