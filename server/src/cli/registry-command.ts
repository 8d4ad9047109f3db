import { RegistryCallError, readTokenFile } from '../registry/client/index.js';
import type { CommandSpec, Env, ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';
import { cliCommand, type CommandRun } from './cli-command.js';
import type { CliIo } from './cli-io.js';

/** A command that calls the registry: a call failure is one line on stderr and exit 1 (not a usage error). */
export function registryCommand(spec: CommandSpec, body: (flags: ParsedArgs, io: CliIo) => Promise<number>, env: Env): CommandRun {
  const run = cliCommand(spec, body, env);
  return async (args, io) => {
    try {
      return await run(args, io);
    } catch (e) {
      if (!(e instanceof RegistryCallError)) throw e;
      io.stderr.write(`tplus: ${e.message}\n`);
      return 1;
    }
  };
}

/** A string flag's value (flag, else its TPLUS_* variable); a usage error naming both when missing or empty. */
export function requiredFlag(flags: ParsedArgs, name: string, command: string): string {
  const v = flags.get(name);
  if (v === undefined || v === '')
    throw new UsageError(`${command}: missing --${name} (or TPLUS_${name.replace(/-/g, '_').toUpperCase()})`);
  return v;
}

/**
 * The token of a command that writes (publish, rollback, approve, reject): --token-file, or none when a
 * client certificate is given (a registry with mutual TLS may name the identity by its CN).
 */
export function writerToken(flags: ParsedArgs, command: string): string | null {
  if (flags.get('token-file') === undefined && flags.get('tls-client-cert') !== undefined) return null;
  return readTokenFile(requiredFlag(flags, 'token-file', command));
}
