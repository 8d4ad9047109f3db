import { DecisionError } from '@tplus/core';
import { calendarCommand } from './calendar-command.js';
import type { CliIo } from './cli-io.js';
import { explainCommand } from './explain-command.js';
import { inFlagWords } from './flag-wording.js';
import { InvalidPackError } from './load-ruleset.js';
import { rulesCommand } from './rules-command.js';
import { settleCommand } from './settle-command.js';
import { didYouMean, UsageError } from '../runtime/index.js';

export const USAGE = `usage: tplus <command> [flags]

commands:
  settle   --market MIC --asset-class AC --trade-date YYYY-MM-DD [--allow-non-trading-day] [--json]
  settle   --input FILE|- [--json]          JSON Lines {"trade_date","asset_class","market"} in, one line out each
  settle   --ruleset-version N --registry ADDR [--token-file F] [--registry-public-key FILE] --market MIC --asset-class AC --trade-date D [--json]
           answers as ruleset version N did (fetched from the registry, verified, decided locally)
  settle   --ruleset-version N --sidecar ADDR --market MIC --asset-class AC --trade-date D [--json]
           the same from a sidecar that still holds version N (it keeps the last few)
  audit    --registry ADDR [--token-file F] [--registry-public-key FILE] --market MIC --asset-class AC --trade-date D [--json]
           what every version that ever existed answers for that trade
  explain  --market MIC --asset-class AC --trade-date YYYY-MM-DD [--json]
  rules validate [DIR] [--json]
  rules transition --market MIC --asset-class AC --around YYYY-MM-DD [--days N] [--json]
  rules diff OLD_DIR NEW_DIR [--from D] [--to D] [--json]
           local, any range (default 2000-01-01..2035-12-31); Ctrl-C stops it
  calendar --id ID --from YYYY-MM-DD --to YYYY-MM-DD [--json]
  serve    [--listen HOST:PORT|off] [--socket PATH|off] [--metrics-listen HOST:PORT|off] [--data-dir DIR] ...
           the gRPC sidecar (npm start); tplus serve --help lists every flag
           add --registry ADDR --registry-public-key FILE [--registry-token-file F] [--registry-tls-ca FILE] to follow a registry
  registry --data-dir D --listen ADDR --signing-key FILE --tokens FILE [--tls-cert FILE --tls-key FILE]   the ruleset registry (--help)
  keygen   --out DIR                        writes DIR/signing.key (0600) and DIR/signing.pub (ed25519)
  publish  --registry ADDR --token-file F --rules DIR --reason TEXT [--expect-version N]
  history  --registry ADDR [--token-file F] [--json]
  rollback --registry ADDR --token-file F --to N --reason TEXT [--expect-version N]
  diff     --registry ADDR [--token-file F] N M [--from D] [--to D] [--json]
           at most 3,660 days per call (default: from today, 3,660 days)
  pending  --registry ADDR [--token-file F] [--json]      versions waiting for approval (four-eyes)
  approve  --registry ADDR --token-file F --pending ID  sign and publish someone else's pending version
  reject   --registry ADDR --token-file F --pending ID --reason TEXT
  audit-log --registry ADDR [--token-file F] [--json]   the registry's audit trail, oldest first
           registry commands (publish, history, rollback, diff, pending, approve, reject, audit-log, settle --registry, audit) reach a TLS registry
           with --tls-ca FILE [--tls-client-cert FILE --tls-client-key FILE] (or TPLUS_TLS_CA, ...)
  drill    SCENARIO [--duration S] [--rate N] [--report DIR]   degradation drill with real processes (drill --help)
  health   ADDR [--timeout S] [--json]     grpc.health.v1 Check of a sidecar (or registry); exit 0 only when SERVING
  status   ADDR [--timeout S] [--json]     what a sidecar serves: version, sha256, source, activation, staleness, horizons
           ADDR is HOST:PORT or unix:///PATH
  publish  ... --stage candidate [--expect-changes FROM..TO[@MIC,...]]   a candidate: held as shadow by every sidecar, not live
  rollout  --registry ADDR --token-file F --version N (--selector K=V[,...] | --percent P)   selected sidecars serve candidate N
  promote  --registry ADDR --token-file F --version N [--min-shadow-decisions N] [--force --reason TEXT]
  abort    --registry ADDR --token-file F --version N --reason TEXT   every sidecar back to live
  fleet    --registry ADDR [--token-file F] [--json]   followers: labels, active/shadow version, last ACK/NACK
  shadow-report --registry ADDR [--token-file F] --version N | --sidecar ADDR   what the candidate answers differently
  help | --version

tplus <command> --help prints that command's flags and their TPLUS_* variables.
Every decision command takes --rules DIR (default: the bundled rule pack).
Exit codes: 0 ok, 1 decision or validation error, 2 usage error.`;

/** The command names the usage lists (its one table of commands), for "did you mean". */
function commandNames(usage: string): string[] {
  return [...usage.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1] ?? '');
}

/** Extra commands supplied by the composition root (e.g. serve), so the CLI core stays I/O-free. */
export type ExtraCommands = Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>>;

function errnoMessage(e: unknown): string | null {
  if (e instanceof Error && 'code' in e && typeof e.code === 'string' && 'path' in e) {
    return `${e.code}: cannot read ${String(e.path)}`;
  }
  return null;
}

/** Runs one CLI invocation and returns its exit code; errors become one clear line on stderr. */
export async function runCli(argv: readonly string[], io: CliIo, extra: ExtraCommands = {}): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'settle':
        // The composition root may supply a settle that also replays against a registry (--ruleset-version).
        return await (extra['settle'] ?? settleCommand)(args, io);
      case 'explain':
        return await explainCommand(args, io);
      case 'rules':
        return await rulesCommand(args, io);
      case 'calendar':
        return await calendarCommand(args, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case 'version':
      case '--version':
      case '-V':
        io.stdout.write(`${io.version}\n`);
        return 0;
      default: {
        const run = command === undefined ? undefined : extra[command];
        if (run) return await run(args, io);
        if (command === undefined) throw new UsageError('missing command');
        const guess = didYouMean(command, [...commandNames(USAGE), ...Object.keys(extra)]);
        if (guess === null) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
        // A near miss gets the name it was probably meant as, not the whole list of commands.
        throw new UsageError(`unknown command ${JSON.stringify(command)} (did you mean ${guess}?)`, 'tplus help lists every command.');
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // The usage of the command that was called (only that one), or the list of commands.
      io.stderr.write(`tplus: ${e.message}\n${e.usage ?? USAGE}\n`);
      return 2;
    }
    if (e instanceof DecisionError) {
      // The core names the request field (allow_non_trading_day, option_days); on the command line it is a flag.
      io.stderr.write(`tplus: ${e.code}: ${inFlagWords(e.code, e.message)}\n`);
      return 1;
    }
    if (e instanceof InvalidPackError) {
      io.stderr.write(`tplus: ${e.message}\n`);
      return 1;
    }
    const errno = errnoMessage(e);
    if (errno !== null) {
      io.stderr.write(`tplus: ${errno}\n`);
      return 1;
    }
    throw e;
  }
}
