#!/usr/bin/env node
/**
 * Composition root: the only place that reads process.env, argv and the clock, and wires the CLI.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDay, INVALID_DAY, parseDay } from '@tplus/core';

const bundledRules = fileURLToPath(new URL('../rules', import.meta.url));

/** The version of the package this program ships in (server/dist/main.js → package.json). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

function today(): number {
  const override = process.env['TPLUS_TODAY'];
  const text = override ?? formatDay(Math.floor(Date.now() / 86_400_000));
  const day = parseDay(text);
  if (day === INVALID_DAY) {
    process.stderr.write(`tplus: TPLUS_TODAY ${JSON.stringify(text)} is not a valid YYYY-MM-DD date\n`);
    process.exit(2);
  }
  return day;
}

// grpc-js passes an IP target (127.0.0.1:50061) to TLS as the server name, and Node prints DEP0123
// for it: a stray non-JSON line in our logs. The certificate is still checked against the IP (its
// subjectAltName), so this process drops that one warning and prints every other one as Node would.
process.removeAllListeners('warning');
process.on('warning', (warning: NodeJS.ErrnoException) => {
  if (warning.code !== 'DEP0123') process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
});

// A closed stdout (e.g. `tplus ... | head`) ends the process quietly instead of throwing EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Each command loads only what it needs: `serve` and `registry` never load the CLI commands, the drill
// runner (and through it the SDK) or the benches.
const argv = process.argv.slice(2);
if (argv[0] === 'serve') {
  const { runServe } = await import('./sidecar/index.js');
  // The sidecar runs until SIGTERM/SIGINT and a clean shutdown; then nothing may keep the process up.
  process.exit(await runServe(argv.slice(1), process.env));
}
if (argv[0] === 'registry') {
  const { runRegistry } = await import('./registry/server/run-registry.js');
  process.exit(await runRegistry(argv.slice(1), process.env));
}
const [{ runCli }, { registryCommands }, { replayCommands }, { probeCommands }] = await Promise.all([
  import('./cli/run-cli.js'),
  import('./cli/registry-commands.js'),
  import('./cli/replay-commands.js'),
  import('./cli/probe-commands.js'),
]);
const code = await runCli(
  argv,
  {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    today: today(),
    defaultRulesDir: bundledRules,
    version: packageVersion(),
  },
  {
    ...registryCommands(process.env),
    ...replayCommands(process.env),
    ...probeCommands(process.env),
    drill: async (args, io) => (await import('./cli/drill-command.js')).drillCommand(args, io, process.env),
  },
);
process.exitCode = code;
