import { DecisionError } from '@tplus/core';
import type { Ruleset } from '@tplus/core';
import { SnapshotRejected } from '../sync/verify-snapshot.js';
import type { CliIo } from './cli-io.js';
import { decisionJson, type DecisionJson } from './decision-json.js';
import { VersionSource } from '../registry/client/fetch-version.js';
import { checkIdentifierFlags } from './check-identifier-flags.js';
import { parseFlags, type ParsedFlags } from './parse-flags.js';
import { cliCredentials, readTokenFile, RegistryCallError, TLS_FLAGS } from '../registry/client/registry-call.js';
import type { ExtraCommands } from './run-cli.js';
import { settleCommand } from './settle-command.js';
import { settleAtSidecar } from './sidecar-call.js';
import { UsageError } from '../runtime/usage-error.js';

type Env = Readonly<Record<string, string | undefined>>;

const TRADE_FLAGS = {
  market: { type: 'string', required: true },
  'asset-class': { type: 'string', required: true },
  'trade-date': { type: 'string', required: true },
  'allow-non-trading-day': { type: 'boolean' },
  json: { type: 'boolean' },
  registry: { type: 'string' },
  'token-file': { type: 'string' },
  'registry-public-key': { type: 'string' },
  ...TLS_FLAGS,
} as const;

/** The flags that turn `settle` into a replay against a registry (or a sidecar holding the version). */
const REPLAY_FLAGS = ['--registry', '--sidecar', '--ruleset-version', '--token-file', '--registry-public-key', '--tls-ca', '--tls-client-cert', '--tls-client-key'];

function source(flags: ParsedFlags, env: Env, command: string): VersionSource {
  const registry = flags.strings.get('registry') ?? env['TPLUS_REGISTRY'];
  if (registry === undefined || registry === '') throw new UsageError(`${command}: missing --registry (or TPLUS_REGISTRY)`);
  const tokenFile = flags.strings.get('token-file') ?? env['TPLUS_TOKEN_FILE'];
  const keyFile = flags.strings.get('registry-public-key') ?? env['TPLUS_REGISTRY_PUBLIC_KEY'];
  const creds = cliCredentials((name) => flags.strings.get(name) ?? env[`TPLUS_${name.replace(/-/g, '_').toUpperCase()}`], command);
  return new VersionSource(registry, readTokenFile(tokenFile === '' ? undefined : tokenFile), keyFile === '' ? undefined : keyFile, creds);
}

function decideOrError(ruleset: Ruleset, flags: ParsedFlags): { readonly ok: true; readonly d: ReturnType<Ruleset['decide']> } | { readonly ok: false; readonly e: DecisionError } {
  try {
    return {
      ok: true,
      d: ruleset.decide(flags.strings.get('trade-date') ?? '', flags.strings.get('asset-class') ?? '', flags.strings.get('market') ?? '', flags.booleans.has('allow-non-trading-day')),
    };
  } catch (e) {
    if (e instanceof DecisionError) return { ok: false, e };
    throw e;
  }
}

const wrap = (run: (args: readonly string[], io: CliIo) => Promise<number>) => async (args: readonly string[], io: CliIo): Promise<number> => {
  try {
    return await run(args, io);
  } catch (e) {
    if (e instanceof RegistryCallError) {
      io.stderr.write(`tplus: ${e.message}\n`);
      return 1;
    }
    if (e instanceof SnapshotRejected) {
      io.stderr.write(`tplus: version rejected (${e.reason}): ${e.message}\n`);
      return 1;
    }
    throw e;
  }
};

/**
 * `settle --ruleset-version N --registry ADDR`: answers as version N did (fetched, verified, decided
 * locally by the core); plain `settle` is unchanged. `audit`: what every version that ever existed
 * answers for one trade, so any stored settlement date can be proven.
 */
export function replayCommands(env: Env): ExtraCommands {
  return {
    settle: wrap(async (args, io) => {
      if (!args.some((a) => REPLAY_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)))) return settleCommand(args, io);
      const flags = parseFlags(args, { ...TRADE_FLAGS, 'ruleset-version': { type: 'string', required: true }, sidecar: { type: 'string' } }, 'settle');
      checkIdentifierFlags(flags, 'settle');
      const text = flags.strings.get('ruleset-version') as string;
      const version = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(version) || version < 1) throw new UsageError(`settle: --ruleset-version ${JSON.stringify(text)} must be an integer >= 1`);
      const sidecar = flags.strings.get('sidecar');
      if (sidecar !== undefined) {
        if (flags.strings.has('registry')) throw new UsageError('settle: give --registry or --sidecar, not both');
        if (Object.keys(TLS_FLAGS).some((f) => flags.strings.has(f))) throw new UsageError('settle: --tls-* flags apply to --registry; a sidecar is reached in plaintext (Unix socket or loopback)');
        const d = await settleAtSidecar(sidecar, {
          tradeDate: flags.strings.get('trade-date') ?? '',
          assetClass: flags.strings.get('asset-class') ?? '',
          market: flags.strings.get('market') ?? '',
          rulesetVersion: version,
          allowNonTradingDay: flags.booleans.has('allow-non-trading-day'),
        });
        const out: DecisionJson = {
          trade_date: flags.strings.get('trade-date') ?? '',
          asset_class: flags.strings.get('asset-class') ?? '',
          market: flags.strings.get('market') ?? '',
          settlement_date: d.settlementDate,
          rule_id: d.ruleId,
          rule_name: d.ruleName,
          cycle_days: d.cycleDays,
          calendar_id: d.calendarId,
          ruleset_version: d.rulesetVersion,
          ruleset_hash: d.rulesetHash,
        };
        io.stdout.write(flags.booleans.has('json') ? `${JSON.stringify(out)}\n` : `${d.settlementDate}\n`);
        return 0;
      }
      const from = source(flags, env, 'settle');
      const { verified, verification } = await from.fetch(version);
      const d = verified.ruleset.decide(
        flags.strings.get('trade-date') ?? '',
        flags.strings.get('asset-class') ?? '',
        flags.strings.get('market') ?? '',
        flags.booleans.has('allow-non-trading-day'),
      );
      io.stdout.write(flags.booleans.has('json') ? `${JSON.stringify({ ...decisionJson(d), published_at: verified.snapshot.publishedAt, verified: verification })}\n` : `${d.settlementDate}\n`);
      return 0;
    }),
    audit: wrap(async (args, io) => {
      const flags = parseFlags(args, TRADE_FLAGS, 'audit');
      checkIdentifierFlags(flags, 'audit');
      const from = source(flags, env, 'audit');
      const json = flags.booleans.has('json');
      const versions = await from.list();
      const trade = `${flags.strings.get('market') ?? ''} ${flags.strings.get('asset-class') ?? ''} trade ${flags.strings.get('trade-date') ?? ''}`;
      if (!json) {
        const how = from.verification === 'signature' ? 'each version verified: sha256 and signature' : 'each version verified: sha256 only (no --registry-public-key)';
        io.stdout.write(`${trade}: ${versions.length} version(s) at ${from.address}; ${how}\n`);
      }
      let rejected = 0;
      for (const info of versions) {
        const base = { version: info.version, published_at: info.publishedAt, sha256: info.sha256, author: info.author, reason: info.reason, rollback_of: info.rollbackOf };
        const why = `${info.rollbackOf ? `rollback of ${info.rollbackOf}: ` : ''}${info.reason}`;
        let ruleset: Ruleset;
        try {
          const fetched = await from.fetch(info.version);
          if (fetched.verified.snapshot.sha256 !== info.sha256) throw new SnapshotRejected('bad_hash', `version ${info.version}: GetVersion and ListVersions disagree on its sha256`);
          ruleset = fetched.verified.ruleset;
        } catch (e) {
          if (!(e instanceof SnapshotRejected)) throw e;
          rejected++;
          io.stdout.write(json ? `${JSON.stringify({ ...base, rejected: { reason: e.reason, message: e.message } })}\n` : `${String(info.version).padStart(4)}  ${info.publishedAt}  ${info.sha256.slice(0, 12)}  REJECTED (${e.reason})  ${e.message}\n`);
          continue;
        }
        const r = decideOrError(ruleset, flags);
        if (json) {
          const answer = r.ok ? { settlement_date: r.d.settlementDate, rule_id: r.d.rule.id, cycle_days: r.d.rule.cycleDays, calendar_id: r.d.rule.settlementCalendar.id } : { error: { code: r.e.code, message: r.e.message } };
          io.stdout.write(`${JSON.stringify({ ...base, ...answer, verified: from.verification })}\n`);
        } else {
          const answer = r.ok ? `${r.d.settlementDate}  ${r.d.rule.id}` : `${r.e.code}  -`;
          io.stdout.write(`${String(info.version).padStart(4)}  ${info.publishedAt}  ${info.sha256.slice(0, 12)}  ${answer}  ${why}\n`);
        }
      }
      if (rejected > 0) io.stderr.write(`audit: ${rejected} version(s) failed verification and were not used\n`);
      return rejected > 0 ? 1 : 0;
    }),
  };
}
