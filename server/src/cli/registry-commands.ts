import { rangeKey } from '@tplus/core';
import { packFiles } from '../registry/index.js';
import type { DiffResponseMessage, PublishResponseMessage, VersionInfoMessage } from '../registry/index.js';
import { generateSigningKeys } from '../registry/index.js';
import type { CliIo } from './cli-io.js';
import { cliCommand } from './cli-command.js';
import { FLAG, REGISTRY_FLAGS, required as requiredFlag, str } from './common-flags.js';
import { loadRuleset } from './load-ruleset.js';
import { callRegistry, cliCredentials, readTokenFile } from '../registry/client/index.js';
import { approvalCommands } from './approval-commands.js';
import { registryCommand, requiredFlag as required, writerToken } from './registry-command.js';
import type { ExtraCommands } from './run-cli.js';
import { CANDIDATE_FLAGS, isCandidate, publishCandidate } from './publish-candidate.js';
import type { CommandSpec } from '../runtime/index.js';
import type { ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';

type Env = Readonly<Record<string, string | undefined>>;

const REASON = str('reason', 'TEXT', 'why, kept in the audit log', { env: 'TPLUS_REASON' });
const AUTHOR = str(
  'author',
  'NAME',
  'a claimed author, only noted in the audit detail: the registry signs the name of the token (or certificate)',
  {
    env: 'TPLUS_AUTHOR',
    defaultNote: '$USER',
  },
);
const EXPECT = str('expect-version', 'N', 'refuse unless version N is the latest (optimistic concurrency)');
const TLS_NOTE = 'A TLS registry is reached with --tls-ca FILE [--tls-client-cert FILE --tls-client-key FILE].';

const SPECS = {
  keygen: {
    name: 'keygen',
    synopsis: ['--out DIR'],
    about: 'Writes DIR/signing.key (mode 0600) and DIR/signing.pub: an ed25519 key pair for a registry.',
    flags: [str('out', 'DIR', 'directory to write the keys to', { required: true })],
  },
  publish: {
    name: 'publish',
    synopsis: [
      '--registry ADDR --token-file F --rules DIR --reason TEXT [--expect-version N] [--json]',
      '... --stage candidate [--expect-changes FROM..TO[@MIC,...]]',
    ],
    about: `Validates a rule pack and publishes it as a new immutable version (live, or a candidate for a staged rollout). ${TLS_NOTE}`,
    flags: [
      ...REGISTRY_FLAGS,
      str('rules', 'DIR', 'the rule pack to publish', { env: 'TPLUS_RULES' }),
      REASON,
      AUTHOR,
      EXPECT,
      FLAG.json,
      ...CANDIDATE_FLAGS,
    ],
  },
  history: {
    name: 'history',
    synopsis: ['--registry ADDR [--token-file F] [--json]'],
    about: `Lists every published version. ${TLS_NOTE}`,
    flags: [...REGISTRY_FLAGS, FLAG.json],
  },
  rollback: {
    name: 'rollback',
    synopsis: ['--registry ADDR --token-file F --to N --reason TEXT [--expect-version N] [--json]'],
    about: `Publishes version N's content again as a new version (nothing is rewritten). ${TLS_NOTE}`,
    flags: [...REGISTRY_FLAGS, requiredFlag(str('to', 'N', 'the version to roll back to')), REASON, AUTHOR, EXPECT, FLAG.json],
  },
  diff: {
    name: 'diff',
    synopsis: [
      '--registry ADDR [--token-file F] N M [--from D] [--to D] [--json]',
      '--registry ADDR [--token-file F] --pending ID [N] [--from D] [--to D] [--json]',
    ],
    about: `Which trade dates get a different answer from versions N and M (or from version N, default the latest, and pending version ID): at most 3,660 days per call (default: from today). ${TLS_NOTE}`,
    flags: [
      ...REGISTRY_FLAGS,
      str('from', 'YYYY-MM-DD', 'first trade date'),
      str('to', 'YYYY-MM-DD', 'last trade date'),
      str('pending', 'ID', 'compare with this pending version (see tplus pending) instead of version M'),
      FLAG.json,
    ],
    positionals: 2,
  },
} as const satisfies Record<string, CommandSpec>;

function versionNumber(text: string, what: string, command: string, min = 1): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${command}: ${what} ${JSON.stringify(text)} must be an integer >= ${min}`);
  return n;
}

/** How history marks a version published --stage candidate, by its rollout stage (none for one published live). */
const STAGE_MARK: Readonly<Record<string, string>> = {
  candidate: '  [candidate]',
  rolling: '  [candidate: rolling]',
  halted: '  [candidate: halted]',
  promoted: '  [candidate: promoted]',
  aborted: '  [candidate: aborted, never live]',
};

const line = (v: VersionInfoMessage): string =>
  `${String(v.version).padStart(4)}  ${v.publishedAt}  ${v.sha256.slice(0, 12)}  ${(v.author || '-').padEnd(12)}  ${v.rollbackOf ? `rollback of ${v.rollbackOf}: ` : ''}${v.reason}${v.approver ? ` (approved by ${v.approver})` : ''}${v.stage ? (STAGE_MARK[v.stage] ?? `  [candidate: ${v.stage}]`) : ''}`;

function published(io: CliIo, r: PublishResponseMessage, json: boolean): number {
  if (json) io.stdout.write(`${JSON.stringify({ ...r, version: { ...r.version, signature: r.version.signature.toString('base64') } })}\n`);
  else {
    for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
    if (r.pending !== null) {
      io.stdout.write(
        `pending: pending version ${r.pending.id} sha256 ${r.pending.sha256} awaits approval by another identity (tplus approve --pending ${r.pending.id}); it expires at ${r.pending.expiresAt}\n`,
      );
      return 0;
    }
    io.stdout.write(
      `${r.created ? 'published' : 'unchanged (identical to the latest)'}: version ${r.version.version} sha256 ${r.version.sha256}\n`,
    );
  }
  return 0;
}

/** publish, history, rollback, diff and keygen: the registry's command line. `env` supplies TPLUS_* settings. */
export function registryCommands(env: Env): ExtraCommands {
  const creds = (flags: ParsedArgs, command: string) => cliCredentials((name) => flags.get(name), command);
  const author = (flags: ParsedArgs): string => flags.get('author') ?? env['USER'] ?? env['LOGNAME'] ?? '';
  // Registry call failures are one line and exit 1 (not usage errors).
  const wrap = (spec: CommandSpec, body: (flags: ParsedArgs, io: CliIo) => Promise<number>) => registryCommand(spec, body, env);
  return {
    keygen: cliCommand(SPECS.keygen, (flags, io) => {
      const files = generateSigningKeys(flags.get('out') ?? '');
      io.stdout.write(`wrote ${files.privateKeyFile} (mode 0600) and ${files.publicKeyFile}\n`);
      return 0;
    }),
    publish: wrap(SPECS.publish, async (flags, io) => {
      if (isCandidate(flags)) return publishCandidate(flags, io, author(flags), creds(flags, 'publish'));
      const dir = required(flags, 'rules', 'publish');
      const reason = required(flags, 'reason', 'publish');
      const expect = flags.get('expect-version');
      const registry = required(flags, 'registry', 'publish');
      const token = writerToken(flags, 'publish');
      loadRuleset(dir, io); // the same validation as `rules validate`: every error listed, exit 1
      const request = {
        files: packFiles(dir),
        reason,
        author: author(flags),
        ...(expect === undefined ? {} : { expectVersion: versionNumber(expect, '--expect-version', 'publish', 0) }),
      };
      return published(
        io,
        await callRegistry<PublishResponseMessage>(registry, token, 'Publish', request, undefined, creds(flags, 'publish')),
        flags.on('json'),
      );
    }),
    rollback: wrap(SPECS.rollback, async (flags, io) => {
      const to = versionNumber(flags.get('to') ?? '', '--to', 'rollback');
      const reason = required(flags, 'reason', 'rollback');
      const expect = flags.get('expect-version');
      const token = writerToken(flags, 'rollback');
      const request = {
        toVersion: to,
        reason,
        author: author(flags),
        ...(expect === undefined ? {} : { expectVersion: versionNumber(expect, '--expect-version', 'rollback', 0) }),
      };
      return published(
        io,
        await callRegistry<PublishResponseMessage>(
          required(flags, 'registry', 'rollback'),
          token,
          'Rollback',
          request,
          undefined,
          creds(flags, 'rollback'),
        ),
        flags.on('json'),
      );
    }),
    history: wrap(SPECS.history, async (flags, io) => {
      const res = await callRegistry<{ versions: VersionInfoMessage[] }>(
        required(flags, 'registry', 'history'),
        readTokenFile(flags.get('token-file')),
        'ListVersions',
        {},
        undefined,
        creds(flags, 'history'),
      );
      if (flags.on('json'))
        for (const v of res.versions) io.stdout.write(`${JSON.stringify({ ...v, signature: v.signature.toString('base64') })}\n`);
      else if (res.versions.length === 0) io.stdout.write('no versions published yet\n');
      else for (const v of res.versions) io.stdout.write(`${line(v)}\n`);
      return 0;
    }),
    diff: wrap(SPECS.diff, async (flags, io) => {
      const pending = flags.get('pending');
      const [a, b] = pending === undefined ? flags.positionals : [flags.positionals[0] ?? 'latest', `pending ${pending}`];
      if (a === undefined || b === undefined) throw new UsageError('diff: needs FROM_VERSION and TO_VERSION (or --pending ID)');
      if (pending !== undefined && flags.positionals.length > 1) throw new UsageError('diff: with --pending, give at most FROM_VERSION');
      const request = {
        fromVersion: a === 'latest' ? 0 : versionNumber(a, 'FROM_VERSION', 'diff'),
        toVersion: pending === undefined ? versionNumber(b, 'TO_VERSION', 'diff') : 0,
        toPendingId: pending === undefined ? 0 : versionNumber(pending, '--pending', 'diff'),
        fromDate: flags.get('from') ?? '',
        toDate: flags.get('to') ?? '',
      };
      const res = await callRegistry<DiffResponseMessage>(
        required(flags, 'registry', 'diff'),
        readTokenFile(flags.get('token-file')),
        'Diff',
        request,
        undefined,
        creds(flags, 'diff'),
      );
      if (flags.on('json')) {
        io.stdout.write(`${JSON.stringify(res)}\n`);
        return 0;
      }
      const total = res.ranges.reduce((n, r) => n + r.changedDates, 0);
      io.stdout.write(
        res.ranges.length === 0
          ? `no trade date gets a different answer (version ${a} → ${b})\n`
          : `${total} trade dates in ${res.ranges.length} ranges get a different answer (version ${a} → ${b}):\n`,
      );
      for (const r of res.ranges) {
        io.stdout.write(`${rangeKey(r)} ${r.from}..${r.to}: ${r.changedDates} trade date(s)\n`);
        for (const e of r.examples) io.stdout.write(`  trade ${e.tradeDate}: ${e.before} → ${e.after}\n`);
      }
      return 0;
    }),
    ...approvalCommands(env),
  };
}
