import type {
  AbortResponseMessage,
  GetShadowReportResponseMessage,
  ListFleetResponseMessage,
  PromoteResponseMessage,
  RolloutStateMessage,
  StartRolloutResponseMessage,
} from '../registry/index.js';
import { parseLabels } from '../sync/index.js';
import { callRegistry, cliCredentials, readTokenFile, RegistryCallError } from '../registry/client/index.js';
import type { CommandSpec, ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';
import type { CliIo } from './cli-io.js';
import { cliCommand } from './cli-command.js';
import { FLAG, REGISTRY_FLAGS, str } from './common-flags.js';
import type { ExtraCommands } from './run-cli.js';
import { printShadowReport, sidecarShadowReport } from './shadow-report-output.js';

type Env = Readonly<Record<string, string | undefined>>;

const VERSION = str('version', 'N', 'the candidate version', { required: true });
const REASON = str('reason', 'TEXT', 'why, kept in the audit log', { env: 'TPLUS_REASON' });

const SPECS = {
  rollout: {
    name: 'rollout',
    synopsis: ['--registry ADDR --token-file F --version N (--selector KEY=VALUE[,...] | --percent P) [--reason TEXT]'],
    about: 'Makes the sidecars that match the selector (or a stable P% of them) serve candidate N; the others keep it as shadow.',
    flags: [
      ...REGISTRY_FLAGS,
      VERSION,
      str('selector', 'KEY=VALUE,...', 'labels a sidecar must all have'),
      str('percent', 'P', '1..100: a stable share of sidecars (by sidecar id)'),
      REASON,
    ],
  },
  promote: {
    name: 'promote',
    synopsis: ['--registry ADDR --token-file F --version N [--min-shadow-decisions N] [--force --reason TEXT]'],
    about:
      'Makes candidate N live everywhere. Refused while a NACK or an unexpected shadow change exists, or too few shadow decisions were counted, unless --force with a reason.',
    flags: [
      ...REGISTRY_FLAGS,
      VERSION,
      str('min-shadow-decisions', 'N', 'shadow decisions needed fleet-wide', { default: '10000' }),
      { name: 'force', type: 'boolean', help: 'promote despite the guards (needs --reason; audited)' },
      REASON,
    ],
  },
  abort: {
    name: 'abort',
    synopsis: ['--registry ADDR --token-file F --version N --reason TEXT'],
    about: 'Returns every sidecar to the live version; candidate N stays stored, never live.',
    flags: [...REGISTRY_FLAGS, VERSION, REASON],
  },
  fleet: {
    name: 'fleet',
    synopsis: ['--registry ADDR [--token-file F] [--json]'],
    about: 'Lists the followers known to the registry: labels, active and shadow version, last ACK/NACK, staleness, last seen.',
    flags: [...REGISTRY_FLAGS, FLAG.json],
  },
  'shadow-report': {
    name: 'shadow-report',
    synopsis: ['--registry ADDR [--token-file F] --version N [--json]', '--sidecar ADDR [--json]'],
    about: 'How many real requests a candidate answers differently, by market and trade date, with samples: one sidecar, or the fleet.',
    flags: [
      ...REGISTRY_FLAGS,
      str('version', 'N', 'the candidate version (with --registry)'),
      str('sidecar', 'ADDR', "a sidecar's metrics address HOST:PORT"),
      FLAG.json,
    ],
  },
} as const satisfies Record<string, CommandSpec>;

function positive(text: string | undefined, flag: string, command: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = text !== undefined && /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${command}: --${flag} ${JSON.stringify(text ?? '')} must be an integer ${min}..${max}`);
  return n;
}

/** --min-shadow-decisions: 1 or more. PromoteRequest cannot send 0 (the wire's 0 means the default), so it is refused here. */
function minShadowDecisions(text: string | undefined): number {
  if (text === '0')
    throw new UsageError(
      'promote: --min-shadow-decisions "0" must be at least 1 (0 on the wire means the default, 10000); to promote without shadow decisions use --force --reason TEXT',
    );
  return positive(text ?? '10000', 'min-shadow-decisions', 'promote');
}

function need(flags: ParsedArgs, name: string, command: string): string {
  const v = flags.get(name);
  if (v === undefined || v.trim() === '') throw new UsageError(`${command}: missing --${name}`);
  return v;
}

const selectorText = (s: RolloutStateMessage): string =>
  s.percent > 0
    ? `${s.percent}%`
    : `selector ${Object.entries(s.selector)
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(',')}`;

/** rollout, promote, abort, fleet and shadow-report: the staged-rollout commands. */
export function rolloutCommands(env: Env): ExtraCommands {
  const call = async <T>(flags: ParsedArgs, command: string, method: string, request: object, write: boolean): Promise<T> =>
    callRegistry<T>(
      need(flags, 'registry', command),
      write ? readTokenFile(need(flags, 'token-file', command)) : readTokenFile(flags.get('token-file')),
      method,
      request,
      undefined,
      cliCredentials((name) => flags.get(name), command),
    );
  const wrap = (spec: CommandSpec, body: (flags: ParsedArgs, io: CliIo) => Promise<number>) => {
    const run = cliCommand(spec, body, env);
    return async (args: readonly string[], io: CliIo): Promise<number> => {
      try {
        return await run(args, io);
      } catch (e) {
        if (!(e instanceof RegistryCallError)) throw e;
        io.stderr.write(`tplus: ${e.message}\n`);
        return 1;
      }
    };
  };
  return {
    rollout: wrap(SPECS.rollout, async (flags, io) => {
      const version = positive(flags.get('version'), 'version', 'rollout');
      const sel = flags.get('selector');
      const pct = flags.get('percent');
      if ((sel === undefined) === (pct === undefined)) throw new UsageError('rollout: give exactly one of --selector and --percent');
      let selector: Readonly<Record<string, string>> = {};
      if (sel !== undefined) {
        try {
          selector = parseLabels(sel);
        } catch (e) {
          throw new UsageError(`rollout: --selector ${JSON.stringify(sel)}: ${(e as Error).message}`);
        }
        if (Object.keys(selector).length === 0) throw new UsageError('rollout: --selector needs at least one KEY=VALUE');
      }
      const percent = pct === undefined ? 0 : positive(pct, 'percent', 'rollout', 1, 100);
      const r = await call<StartRolloutResponseMessage>(
        flags,
        'rollout',
        'StartRollout',
        { version, selector, percent, reason: flags.get('reason') ?? '' },
        true,
      );
      const s = r.rollout as RolloutStateMessage;
      io.stdout.write(`rollout of version ${s.version}: ${s.state} (${selectorText(s)}); live is ${s.liveVersion}\n`);
      return 0;
    }),
    promote: wrap(SPECS.promote, async (flags, io) => {
      const request = {
        version: positive(flags.get('version'), 'version', 'promote'),
        minShadowDecisions: minShadowDecisions(flags.get('min-shadow-decisions')),
        force: flags.on('force'),
        reason: flags.get('reason') ?? '',
      };
      if (request.force && request.reason.trim() === '')
        throw new UsageError('promote: --force needs --reason TEXT (kept in the audit log)');
      const r = await call<PromoteResponseMessage>(flags, 'promote', 'Promote', request, true);
      io.stdout.write(
        `version ${r.rollout?.version ?? 0}: promoted; live is ${r.rollout?.liveVersion ?? 0}${request.force ? ' (forced)' : ''}\n`,
      );
      return 0;
    }),
    abort: wrap(SPECS.abort, async (flags, io) => {
      const request = { version: positive(flags.get('version'), 'version', 'abort'), reason: need(flags, 'reason', 'abort') };
      const r = await call<AbortResponseMessage>(flags, 'abort', 'Abort', request, true);
      io.stdout.write(`version ${r.rollout?.version ?? 0}: aborted; live is ${r.rollout?.liveVersion ?? 0}\n`);
      return 0;
    }),
    fleet: wrap(SPECS.fleet, async (flags, io) => {
      const r = await call<ListFleetResponseMessage>(flags, 'fleet', 'ListFleet', {}, false);
      if (flags.on('json')) {
        io.stdout.write(`${JSON.stringify(r)}\n`);
        return 0;
      }
      io.stdout.write(
        `live version ${r.liveVersion}${r.rollout ? `; candidate ${r.rollout.version} ${r.rollout.state}` : ''}; ${r.followers.length} follower(s)\n`,
      );
      for (const m of r.followers) {
        const labels =
          Object.entries(m.labels)
            .map(([k, v]) => `${k}=${v}`)
            .sort()
            .join(',') || '-';
        io.stdout.write(
          `${m.sidecarId.padEnd(12)} ${labels.padEnd(24)} active ${m.activeVersion}  shadow ${m.shadowVersion || '-'}  ${m.lastReport || '-'}  staleness ${m.stalenessSeconds.toFixed(1)}s  last seen ${m.lastSeen}${m.connected ? '' : ' (disconnected)'}\n`,
        );
      }
      return 0;
    }),
    'shadow-report': wrap(SPECS['shadow-report'], async (flags, io) => {
      const sidecar = flags.get('sidecar');
      if (sidecar !== undefined) return sidecarShadowReport(sidecar, flags.on('json'), io);
      const version = positive(flags.get('version'), 'version', 'shadow-report');
      const r = await call<GetShadowReportResponseMessage>(flags, 'shadow-report', 'GetShadowReport', { version }, false);
      return printShadowReport(r, flags.on('json'), io);
    }),
  };
}
