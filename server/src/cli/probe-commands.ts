import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { cliCredentials, readTokenFile } from '../registry/client/index.js';
import { loadSettlementPackage, SETTLEMENT_SERVICE_NAME } from '../rpc/index.js';
import type { RulesetInfoMessage } from '../sidecar/index.js';
import { UsageError, type CommandSpec, type Env, type FlagDef, type ParsedArgs, type RawSetting } from '../runtime/index.js';
import { cliCommand } from './cli-command.js';
import type { CliIo } from './cli-io.js';
import { FLAG } from './common-flags.js';
import { statusJson, statusText } from './format-status.js';
import { ProbeChannel, ProbeFailure } from './probe-call.js';
import { probeHealth } from './probe-health.js';
import { registryLiveness } from './registry-liveness.js';
import type { ExtraCommands } from './run-cli.js';

const MAX_TIMEOUT_S = 600;
/** Codes that mean nothing answered (as opposed to a server that answered with an error). */
const UNREACHABLE = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);
const seconds = (s: RawSetting): string | null => {
  const n = Number(s.text);
  return s.text.trim() !== '' && Number.isFinite(n) && n > 0 && n <= MAX_TIMEOUT_S
    ? null
    : `${s.origin}=${JSON.stringify(s.text)}: expected seconds, > 0 and <= ${MAX_TIMEOUT_S}`;
};
const TIMEOUT: FlagDef = { name: 'timeout', type: 'string', value: 'S', help: 'give up after S seconds', default: '3', check: seconds };
const TOKEN: FlagDef = { ...FLAG.tokenFile, help: 'a read token, for a registry that needs one to list its versions' };
const FLAGS = [TIMEOUT, FLAG.json, TOKEN, FLAG.tlsCa, FLAG.tlsClientCert, FLAG.tlsClientKey];
const ADDR_NOTE =
  'ADDR is HOST:PORT or unix:///PATH (unix:PATH too). Exit codes: 0 SERVING; 1 anything else (not serving, unreachable: one line names the address and the gRPC code); 2 usage error.';

const SPECS = {
  health: {
    name: 'health',
    synopsis: ['ADDR [--timeout S] [--json]'],
    about: `One grpc.health.v1 Check of a sidecar (or registry): prints SERVING, NOT_SERVING or why it is unreachable. ${ADDR_NOTE}`,
    flags: FLAGS,
    positionals: 1,
  },
  status: {
    name: 'status',
    synopsis: ['ADDR [--timeout S] [--json]'],
    about: `What a sidecar serves: health, ruleset version, sha256, source, activation time, staleness when it follows a registry, integrity warning and days left per calendar. Against a registry: its latest version. ${ADDR_NOTE}`,
    flags: FLAGS,
    positionals: 1,
  },
} as const satisfies Record<string, CommandSpec>;

/** ADDR as the other commands take it; a malformed one is a usage error naming it. */
function address(flags: ParsedArgs, command: string): string {
  const text = flags.positionals[0];
  if (text === undefined) throw new UsageError(`${command}: needs ADDR (HOST:PORT or unix:///PATH)`);
  if (text.startsWith('unix:')) {
    if (text.replace(/^unix:(\/\/)?/, '') === '') throw new UsageError(`${command}: ADDR ${JSON.stringify(text)} names no socket path`);
  } else if (!/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(text)) {
    throw new UsageError(`${command}: ADDR ${JSON.stringify(text)} is neither HOST:PORT nor unix:///PATH`);
  }
  return text;
}

const GET_RULESET_INFO = (loadSettlementPackage()[SETTLEMENT_SERVICE_NAME] as ServiceDefinition)['GetRulesetInfo'] as
  MethodDefinition<object, unknown> | undefined;

/** `tplus health` and `tplus status`: one-shot probes of a running sidecar or registry. `env` supplies TPLUS_* settings. */
export function probeCommands(env: Env): ExtraCommands {
  const probe = (spec: CommandSpec, body: (channel: ProbeChannel, addr: string, flags: ParsedArgs, io: CliIo) => Promise<number>) =>
    cliCommand(
      spec,
      async (flags, io) => {
        const addr = address(flags, spec.name);
        const creds = cliCredentials((name) => flags.get(name), spec.name);
        const channel = new ProbeChannel(addr, creds, Number(flags.get('timeout')) * 1000);
        try {
          return await body(channel, addr, flags, io);
        } catch (e) {
          if (!(e instanceof ProbeFailure)) throw e;
          const unreachable = UNREACHABLE.has(e.code);
          if (flags.on('json'))
            io.stdout.write(
              `${JSON.stringify({ address: addr, health: unreachable ? 'UNREACHABLE' : 'ERROR', code: e.code, message: e.details })}\n`,
            );
          const what = unreachable ? `cannot reach ${addr}` : `${addr} answered ${e.method} with`;
          io.stderr.write(`tplus ${spec.name}: ${what}: ${e.code}${e.details === '' ? '' : ` (${e.details})`}\n`);
          return 1;
        } finally {
          channel.close();
        }
      },
      env,
    );
  return {
    health: probe(SPECS.health, async (channel, addr, flags, io) => {
      const h = await probeHealth(channel, readTokenFile(flags.get('token-file')));
      if (flags.on('json')) io.stdout.write(`${JSON.stringify({ address: addr, health: h.status, health_via: h.via })}\n`);
      else io.stdout.write(`${addr}: ${h.status}\n`);
      return h.status === 'SERVING' ? 0 : 1;
    }),
    status: probe(SPECS.status, async (channel, addr, flags, io) => {
      if (!GET_RULESET_INFO) throw new Error('SettlementService has no GetRulesetInfo');
      const token = readTokenFile(flags.get('token-file'));
      let health = await probeHealth(channel, token);
      let info: RulesetInfoMessage | null = null;
      try {
        info = await channel.call<RulesetInfoMessage>(GET_RULESET_INFO, {});
      } catch (e) {
        // No GetRulesetInfo: a registry. What it serves is its latest version.
        if (!(e instanceof ProbeFailure) || e.code !== 'UNIMPLEMENTED') throw e;
        if (health.latest === undefined) health = { ...(await registryLiveness(channel, token)), status: health.status, via: health.via };
      }
      const report = { address: addr, health, info };
      io.stdout.write(flags.on('json') ? `${statusJson(report)}\n` : statusText(report));
      return health.status === 'SERVING' ? 0 : 1;
    }),
  };
}
