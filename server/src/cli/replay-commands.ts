import { DecisionError } from '@tplus/core';
import type { Ruleset } from '@tplus/core';
import { SnapshotRejected } from '../sync/index.js';
import type { CliIo } from './cli-io.js';
import { decisionJson, type DecisionJson } from './decision-json.js';
import { VersionSource } from '../registry/client/index.js';
import { cliCommand } from './cli-command.js';
import { FLAG, REGISTRY_FLAGS, required, termsFromFlags } from './common-flags.js';
import { cliCredentials, readTokenFile, RegistryCallError } from '../registry/client/index.js';
import type { ExtraCommands } from './run-cli.js';
import { SETTLE_SPEC, settleLocally, REPLAY_FLAGS } from './settle-command.js';
import { settleAtSidecar } from './sidecar-call.js';
import type { CommandSpec } from '../runtime/index.js';
import type { ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';

type Env = Readonly<Record<string, string | undefined>>;

const AUDIT_SPEC: CommandSpec = {
  name: 'audit',
  synopsis: ['--registry ADDR [--token-file F] [--registry-public-key FILE] --market MIC --asset-class AC --trade-date D [--json]'],
  about:
    'What every version that ever existed answers for one trade, each verified (sha256, and the signature with --registry-public-key).',
  flags: [
    required(FLAG.market),
    required(FLAG.assetClass),
    required(FLAG.tradeDate),
    FLAG.allowNonTradingDay,
    FLAG.json,
    ...REGISTRY_FLAGS,
    FLAG.registryPublicKey,
  ],
};

function source(flags: ParsedArgs, command: string): VersionSource {
  const registry = flags.get('registry');
  if (registry === undefined || registry === '') throw new UsageError(`${command}: missing --registry (or TPLUS_REGISTRY)`);
  const tokenFile = flags.get('token-file');
  const keyFile = flags.get('registry-public-key');
  const creds = cliCredentials((name) => flags.get(name), command);
  return new VersionSource(registry, readTokenFile(tokenFile === '' ? undefined : tokenFile), keyFile === '' ? undefined : keyFile, creds);
}

function decideOrError(
  ruleset: Ruleset,
  flags: ParsedArgs,
): { readonly ok: true; readonly d: ReturnType<Ruleset['decide']> } | { readonly ok: false; readonly e: DecisionError } {
  try {
    return {
      ok: true,
      d: ruleset.decide(
        flags.get('trade-date') ?? '',
        flags.get('asset-class') ?? '',
        flags.get('market') ?? '',
        flags.on('allow-non-trading-day'),
      ),
    };
  } catch (e) {
    if (e instanceof DecisionError) return { ok: false, e };
    throw e;
  }
}

const wrap = (spec: CommandSpec, body: (flags: ParsedArgs, io: CliIo) => Promise<number>, env: Env) => {
  const run = cliCommand(spec, body, env);
  return async (args: readonly string[], io: CliIo): Promise<number> => {
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
};

/**
 * `settle --ruleset-version N --registry ADDR`: answers as version N did (fetched, verified, decided
 * locally by the core); plain `settle` is unchanged. `audit`: what every version that ever existed
 * answers for one trade, so any stored settlement date can be proven.
 */
export function replayCommands(env: Env): ExtraCommands {
  return {
    settle: wrap(
      SETTLE_SPEC,
      async (flags, io) => {
        if (!REPLAY_FLAGS.some((f) => flags.onArgv(f))) return settleLocally(flags, io);
        for (const f of ['ruleset-version', 'market', 'asset-class', 'trade-date']) {
          if (!flags.onArgv(f)) throw new UsageError(`settle: missing required flag --${f}`);
        }
        if (flags.onArgv('input')) throw new UsageError('settle: --input cannot be combined with --ruleset-version');
        const text = flags.get('ruleset-version') ?? '';
        const version = /^\d+$/.test(text) ? Number(text) : Number.NaN;
        if (!Number.isSafeInteger(version) || version < 1)
          throw new UsageError(`settle: --ruleset-version ${JSON.stringify(text)} must be an integer >= 1`);
        const sidecar = flags.get('sidecar');
        if (sidecar !== undefined) {
          if (flags.onArgv('registry')) throw new UsageError('settle: give --registry or --sidecar, not both');
          if (['tls-ca', 'tls-client-cert', 'tls-client-key'].some((f) => flags.onArgv(f)))
            throw new UsageError('settle: --tls-* flags apply to --registry; a sidecar is reached in plaintext (Unix socket or loopback)');
          const d = await settleAtSidecar(sidecar, {
            tradeDate: flags.get('trade-date') ?? '',
            assetClass: flags.get('asset-class') ?? '',
            market: flags.get('market') ?? '',
            rulesetVersion: version,
            allowNonTradingDay: flags.on('allow-non-trading-day'),
            ...termsFromFlags(flags),
          });
          const out: DecisionJson = {
            trade_date: flags.get('trade-date') ?? '',
            asset_class: flags.get('asset-class') ?? '',
            market: flags.get('market') ?? '',
            settlement_date: d.settlementDate,
            rule_id: d.ruleId,
            rule_name: d.ruleName,
            cycle_days: d.cycleDays,
            calendar_id: d.calendarId,
            ruleset_version: d.rulesetVersion,
            ruleset_hash: d.rulesetHash,
            ...(d.settlementTypeSource === ''
              ? {}
              : { settlement_type: d.settlementType, business_days: d.businessDays, settlement_type_source: d.settlementTypeSource }),
            ...(d.segment === '' ? {} : { segment: d.segment }),
          };
          io.stdout.write(flags.on('json') ? `${JSON.stringify(out)}\n` : `${d.settlementDate}\n`);
          return 0;
        }
        const from = source(flags, 'settle');
        const { verified, verification } = await from.fetch(version);
        const d = verified.ruleset.decide(
          flags.get('trade-date') ?? '',
          flags.get('asset-class') ?? '',
          flags.get('market') ?? '',
          flags.on('allow-non-trading-day'),
          termsFromFlags(flags),
        );
        io.stdout.write(
          flags.on('json')
            ? `${JSON.stringify({ ...decisionJson(d), published_at: verified.snapshot.publishedAt, verified: verification })}\n`
            : `${d.settlementDate}\n`,
        );
        return 0;
      },
      env,
    ),
    audit: wrap(
      AUDIT_SPEC,
      async (flags, io) => {
        const from = source(flags, 'audit');
        const json = flags.on('json');
        const versions = await from.list();
        const trade = `${flags.get('market') ?? ''} ${flags.get('asset-class') ?? ''} trade ${flags.get('trade-date') ?? ''}`;
        if (!json) {
          const how =
            from.verification === 'signature'
              ? 'each version verified: sha256 and signature'
              : 'each version verified: sha256 only (no --registry-public-key)';
          io.stdout.write(`${trade}: ${versions.length} version(s) at ${from.address}; ${how}\n`);
        }
        let rejected = 0;
        for (const info of versions) {
          const base = {
            version: info.version,
            published_at: info.publishedAt,
            sha256: info.sha256,
            author: info.author,
            reason: info.reason,
            rollback_of: info.rollbackOf,
          };
          const why = `${info.rollbackOf ? `rollback of ${info.rollbackOf}: ` : ''}${info.reason}`;
          let ruleset: Ruleset;
          try {
            const fetched = await from.fetch(info.version);
            if (fetched.verified.snapshot.sha256 !== info.sha256)
              throw new SnapshotRejected('bad_hash', `version ${info.version}: GetVersion and ListVersions disagree on its sha256`);
            ruleset = fetched.verified.ruleset;
          } catch (e) {
            if (!(e instanceof SnapshotRejected)) throw e;
            rejected++;
            io.stdout.write(
              json
                ? `${JSON.stringify({ ...base, rejected: { reason: e.reason, message: e.message } })}\n`
                : `${String(info.version).padStart(4)}  ${info.publishedAt}  ${info.sha256.slice(0, 12)}  REJECTED (${e.reason})  ${e.message}\n`,
            );
            continue;
          }
          const r = decideOrError(ruleset, flags);
          if (json) {
            const answer = r.ok
              ? {
                  settlement_date: r.d.settlementDate,
                  rule_id: r.d.rule.id,
                  cycle_days: r.d.rule.cycleDays,
                  calendar_id: r.d.rule.settlementCalendar.id,
                }
              : { error: { code: r.e.code, message: r.e.message } };
            io.stdout.write(`${JSON.stringify({ ...base, ...answer, verified: from.verification })}\n`);
          } else {
            const answer = r.ok ? `${r.d.settlementDate}  ${r.d.rule.id}` : `${r.e.code}  -`;
            io.stdout.write(`${String(info.version).padStart(4)}  ${info.publishedAt}  ${info.sha256.slice(0, 12)}  ${answer}  ${why}\n`);
          }
        }
        if (rejected > 0) io.stderr.write(`audit: ${rejected} version(s) failed verification and were not used\n`);
        return rejected > 0 ? 1 : 0;
      },
      env,
    ),
  };
}
