import type {
  AuditRowMessage,
  ListAuditResponseMessage,
  ListPendingResponseMessage,
  PendingVersionMessage,
  PublishResponseMessage,
  RejectResponseMessage,
} from '../registry/index.js';
import { callRegistry, cliCredentials, readTokenFile } from '../registry/client/index.js';
import type { CommandSpec, Env, ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';
import { FLAG, REGISTRY_FLAGS, str } from './common-flags.js';
import type { ExtraCommands } from './run-cli.js';
import { registryCommand, requiredFlag, writerToken } from './registry-command.js';

const PENDING = str('pending', 'ID', 'the pending version (its id in tplus pending)');
const TLS_NOTE = 'A TLS registry is reached with --tls-ca FILE [--tls-client-cert FILE --tls-client-key FILE].';
/** Rows fetched per ListAudit call (the registry allows up to 10,000). */
const AUDIT_PAGE = 1_000;

const SPECS = {
  pending: {
    name: 'pending',
    synopsis: ['--registry ADDR [--token-file F] [--json]'],
    about: `Lists the versions waiting for approval on a registry run with --require-approval. ${TLS_NOTE}`,
    flags: [...REGISTRY_FLAGS, FLAG.json],
  },
  approve: {
    name: 'approve',
    synopsis: ['--registry ADDR --token-file F --pending ID [--expect-version N] [--json]'],
    about: `Approves a pending version (approve role, never its own author): it is signed, numbered and sent to followers. ${TLS_NOTE}`,
    flags: [...REGISTRY_FLAGS, PENDING, str('expect-version', 'N', 'refuse unless version N is the latest live version'), FLAG.json],
  },
  reject: {
    name: 'reject',
    synopsis: ['--registry ADDR --token-file F --pending ID --reason TEXT'],
    about: `Rejects a pending version (approve role): nothing is created; the rejection is audited. ${TLS_NOTE}`,
    flags: [...REGISTRY_FLAGS, PENDING, str('reason', 'TEXT', 'why, kept in the audit log', { env: 'TPLUS_REASON' })],
  },
  'audit-log': {
    name: 'audit-log',
    synopsis: ['--registry ADDR [--token-file F] [--json]'],
    about: `Prints the registry's audit trail, oldest first: every call, allowed or refused, and who made it. ${TLS_NOTE}`,
    flags: [...REGISTRY_FLAGS, FLAG.json],
  },
} as const satisfies Record<string, CommandSpec>;

function positiveInteger(text: string, flag: string, command: string, min = 1): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${command}: ${flag} ${JSON.stringify(text)} must be an integer >= ${min}`);
  return n;
}

const pendingLine = (p: PendingVersionMessage): string =>
  `${String(p.id).padStart(4)}  ${p.createdAt}  ${p.sha256.slice(0, 12)}  ${p.author.padEnd(12)}  expires ${p.expiresAt}  ${p.rollbackOf ? `rollback to ${p.rollbackOf}: ` : ''}${p.reason}`;

const auditLine = (r: AuditRowMessage): string =>
  `${r.at}  ${r.who.padEnd(12)}  ${r.action.padEnd(12)}  ${r.result.padEnd(18)}  ${r.detail}`;

/** pending, approve, reject (four-eyes publishing) and audit-log. */
export function approvalCommands(env: Env): ExtraCommands {
  const creds = (flags: ParsedArgs, command: string) => cliCredentials((name) => flags.get(name), command);
  const call = <T>(flags: ParsedArgs, command: string, token: string | null, method: string, request: object): Promise<T> =>
    callRegistry<T>(requiredFlag(flags, 'registry', command), token, method, request, undefined, creds(flags, command));
  return {
    pending: registryCommand(
      SPECS.pending,
      async (flags, io) => {
        const res = await call<ListPendingResponseMessage>(flags, 'pending', readTokenFile(flags.get('token-file')), 'ListPending', {});
        if (flags.on('json')) for (const p of res.pending) io.stdout.write(`${JSON.stringify(p)}\n`);
        else if (res.pending.length === 0) io.stdout.write('no version is waiting for approval\n');
        else for (const p of res.pending) io.stdout.write(`${pendingLine(p)}\n`);
        return 0;
      },
      env,
    ),
    approve: registryCommand(
      SPECS.approve,
      async (flags, io) => {
        const pendingId = positiveInteger(requiredFlag(flags, 'pending', 'approve'), '--pending', 'approve');
        const expect = flags.get('expect-version');
        const request = {
          pendingId,
          ...(expect === undefined ? {} : { expectVersion: positiveInteger(expect, '--expect-version', 'approve', 0) }),
        };
        const res = await call<PublishResponseMessage>(flags, 'approve', writerToken(flags, 'approve'), 'Approve', request);
        if (flags.on('json'))
          io.stdout.write(
            `${JSON.stringify({ ...res, version: { ...res.version, signature: res.version.signature.toString('base64') } })}\n`,
          );
        else
          io.stdout.write(
            `${res.created ? 'approved' : 'approved (identical to the latest, nothing created)'}: pending ${pendingId} is version ${res.version.version} sha256 ${res.version.sha256}, author ${res.version.author}, approver ${res.version.approver}\n`,
          );
        return 0;
      },
      env,
    ),
    reject: registryCommand(
      SPECS.reject,
      async (flags, io) => {
        const pendingId = positiveInteger(requiredFlag(flags, 'pending', 'reject'), '--pending', 'reject');
        const reason = requiredFlag(flags, 'reason', 'reject');
        const res = await call<RejectResponseMessage>(flags, 'reject', writerToken(flags, 'reject'), 'Reject', { pendingId, reason });
        io.stdout.write(`rejected: pending ${pendingId} by ${res.pending?.author ?? '?'} sha256 ${res.pending?.sha256 ?? '?'}\n`);
        return 0;
      },
      env,
    ),
    'audit-log': registryCommand(
      SPECS['audit-log'],
      async (flags, io) => {
        const token = readTokenFile(flags.get('token-file'));
        let afterId = 0;
        for (;;) {
          const page = await call<ListAuditResponseMessage>(flags, 'audit-log', token, 'ListAudit', { afterId, limit: AUDIT_PAGE });
          for (const r of page.rows) io.stdout.write(`${flags.on('json') ? JSON.stringify(r) : auditLine(r)}\n`);
          if (page.rows.length < AUDIT_PAGE) return 0;
          afterId = page.rows[page.rows.length - 1]?.id ?? afterId;
        }
      },
      env,
    ),
  };
}
