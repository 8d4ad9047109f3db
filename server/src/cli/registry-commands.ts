import { packFiles } from '../registry/pack-files.js';
import type { DiffResponseMessage, PublishResponseMessage, VersionInfoMessage } from '../registry/registry-wire.js';
import { generateSigningKeys } from '../registry/signing-keys.js';
import type { CliIo } from './cli-io.js';
import { loadRuleset } from './load-ruleset.js';
import { parseFlags, type FlagSpec, type ParsedFlags } from './parse-flags.js';
import { callRegistry, cliCredentials, readTokenFile, RegistryCallError, TLS_FLAGS } from '../registry/client/registry-call.js';
import type { ExtraCommands } from './run-cli.js';
import { UsageError } from '../runtime/usage-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** `--flag` value, else the TPLUS_FLAG environment variable. */
function setting(flags: ParsedFlags, env: Env, name: string): string | undefined {
  return flags.strings.get(name) ?? env[`TPLUS_${name.replace(/-/g, '_').toUpperCase()}`];
}

function required(flags: ParsedFlags, env: Env, name: string, command: string): string {
  const v = setting(flags, env, name);
  if (v === undefined || v === '') throw new UsageError(`${command}: missing --${name} (or TPLUS_${name.replace(/-/g, '_').toUpperCase()})`);
  return v;
}

function versionNumber(text: string, what: string, command: string, min = 1): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${command}: ${what} ${JSON.stringify(text)} must be an integer >= ${min}`);
  return n;
}

const line = (v: VersionInfoMessage): string =>
  `${String(v.version).padStart(4)}  ${v.publishedAt}  ${v.sha256.slice(0, 12)}  ${(v.author || '-').padEnd(12)}  ${v.rollbackOf ? `rollback of ${v.rollbackOf}: ` : ''}${v.reason}`;

function published(io: CliIo, r: PublishResponseMessage, json: boolean): number {
  if (json) io.stdout.write(`${JSON.stringify({ ...r, version: { ...r.version, signature: r.version.signature.toString('base64') } })}\n`);
  else {
    for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
    io.stdout.write(`${r.created ? 'published' : 'unchanged (identical to the latest)'}: version ${r.version.version} sha256 ${r.version.sha256}\n`);
  }
  return 0;
}

const COMMON: FlagSpec = { registry: { type: 'string' }, 'token-file': { type: 'string' }, json: { type: 'boolean' }, ...TLS_FLAGS };

/** publish, history, rollback, diff and keygen: the registry's command line. `env` supplies TPLUS_* settings. */
export function registryCommands(env: Env): ExtraCommands {
  const creds = (flags: ParsedFlags, command: string) => cliCredentials((name) => setting(flags, env, name), command);
  const author = (flags: ParsedFlags): string => setting(flags, env, 'author') ?? env['USER'] ?? env['LOGNAME'] ?? '';
  const wrap = (run: (args: readonly string[], io: CliIo) => Promise<number>) => async (args: readonly string[], io: CliIo): Promise<number> => {
    try {
      return await run(args, io);
    } catch (e) {
      if (!(e instanceof RegistryCallError)) throw e;
      io.stderr.write(`tplus: ${e.message}\n`);
      return 1;
    }
  };
  return {
    keygen: async (args, io) => {
      const flags = parseFlags(args, { out: { type: 'string', required: true } }, 'keygen');
      const files = generateSigningKeys(flags.strings.get('out') as string);
      io.stdout.write(`wrote ${files.privateKeyFile} (mode 0600) and ${files.publicKeyFile}\n`);
      return 0;
    },
    publish: wrap(async (args, io) => {
      const flags = parseFlags(args, { ...COMMON, rules: { type: 'string' }, reason: { type: 'string' }, author: { type: 'string' }, 'expect-version': { type: 'string' } }, 'publish');
      const dir = required(flags, env, 'rules', 'publish');
      const reason = required(flags, env, 'reason', 'publish');
      const expect = flags.strings.get('expect-version');
      const registry = required(flags, env, 'registry', 'publish');
      const token = readTokenFile(required(flags, env, 'token-file', 'publish'));
      loadRuleset(dir, io); // the same validation as `rules validate`: every error listed, exit 1
      const request = { files: packFiles(dir), reason, author: author(flags), ...(expect === undefined ? {} : { expectVersion: versionNumber(expect, '--expect-version', 'publish', 0) }) };
      return published(io, await callRegistry<PublishResponseMessage>(registry, token, 'Publish', request, undefined, creds(flags, 'publish')), flags.booleans.has('json'));
    }),
    rollback: wrap(async (args, io) => {
      const flags = parseFlags(args, { ...COMMON, to: { type: 'string', required: true }, reason: { type: 'string' }, author: { type: 'string' }, 'expect-version': { type: 'string' } }, 'rollback');
      const to = versionNumber(flags.strings.get('to') as string, '--to', 'rollback');
      const reason = required(flags, env, 'reason', 'rollback');
      const expect = flags.strings.get('expect-version');
      const token = readTokenFile(required(flags, env, 'token-file', 'rollback'));
      const request = { toVersion: to, reason, author: author(flags), ...(expect === undefined ? {} : { expectVersion: versionNumber(expect, '--expect-version', 'rollback', 0) }) };
      return published(io, await callRegistry<PublishResponseMessage>(required(flags, env, 'registry', 'rollback'), token, 'Rollback', request, undefined, creds(flags, 'rollback')), flags.booleans.has('json'));
    }),
    history: wrap(async (args, io) => {
      const flags = parseFlags(args, COMMON, 'history');
      const res = await callRegistry<{ versions: VersionInfoMessage[] }>(required(flags, env, 'registry', 'history'), readTokenFile(setting(flags, env, 'token-file')), 'ListVersions', {}, undefined, creds(flags, 'history'));
      if (flags.booleans.has('json')) for (const v of res.versions) io.stdout.write(`${JSON.stringify({ ...v, signature: v.signature.toString('base64') })}\n`);
      else if (res.versions.length === 0) io.stdout.write('no versions published yet\n');
      else for (const v of res.versions) io.stdout.write(`${line(v)}\n`);
      return 0;
    }),
    diff: wrap(async (args, io) => {
      const flags = parseFlags(args, { ...COMMON, from: { type: 'string' }, to: { type: 'string' } }, 'diff', 2);
      const [a, b] = flags.positionals;
      if (a === undefined || b === undefined) throw new UsageError('diff: usage: diff --registry ADDR FROM_VERSION TO_VERSION');
      const request = { fromVersion: versionNumber(a, 'FROM_VERSION', 'diff'), toVersion: versionNumber(b, 'TO_VERSION', 'diff'), fromDate: flags.strings.get('from') ?? '', toDate: flags.strings.get('to') ?? '' };
      const res = await callRegistry<DiffResponseMessage>(required(flags, env, 'registry', 'diff'), readTokenFile(setting(flags, env, 'token-file')), 'Diff', request, undefined, creds(flags, 'diff'));
      if (flags.booleans.has('json')) {
        io.stdout.write(`${JSON.stringify(res)}\n`);
        return 0;
      }
      const total = res.ranges.reduce((n, r) => n + r.changedDates, 0);
      io.stdout.write(res.ranges.length === 0 ? `no trade date gets a different answer (version ${a} → ${b})\n` : `${total} trade dates in ${res.ranges.length} ranges get a different answer (version ${a} → ${b}):\n`);
      for (const r of res.ranges) {
        io.stdout.write(`${r.market} ${r.assetClass} ${r.from}..${r.to}: ${r.changedDates} trade date(s)\n`);
        for (const e of r.examples) io.stdout.write(`  trade ${e.tradeDate}: ${e.before} → ${e.after}\n`);
      }
      return 0;
    }),
  };
}
