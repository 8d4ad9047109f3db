import { rangeKey } from '@tplus/core';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { packFiles, type PublishCandidateResponseMessage } from '../registry/index.js';
import { callRegistry, readTokenFile } from '../registry/client/index.js';
import type { FlagDef, ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';
import type { CliIo } from './cli-io.js';
import { loadRuleset } from './load-ruleset.js';

/** `publish --stage candidate --expect-changes ...`: the flags publish gains for a staged rollout. */
export const CANDIDATE_FLAGS: readonly FlagDef[] = [
  {
    name: 'stage',
    type: 'string',
    value: 'live|candidate',
    help: 'candidate: stored and sent to every sidecar as shadow, not live',
    default: 'live',
  },
  {
    name: 'expect-changes',
    type: 'string',
    value: 'FROM..TO[@MIC,...]',
    help: 'with --stage candidate: trade dates (and markets) the change is meant to move; several separated by ";"',
  },
];

export function isCandidate(flags: ParsedArgs): boolean {
  const stage = flags.get('stage') ?? 'live';
  if (stage !== 'live' && stage !== 'candidate')
    throw new UsageError(`publish: --stage ${JSON.stringify(stage)} must be live or candidate`);
  if (stage === 'live' && flags.get('expect-changes') !== undefined)
    throw new UsageError('publish: --expect-changes needs --stage candidate');
  return stage === 'candidate';
}

function need(flags: ParsedArgs, name: string): string {
  const v = flags.get(name);
  if (v === undefined || v === '') throw new UsageError(`publish: missing --${name}`);
  return v;
}

/** Publishes the pack as a candidate: printed with the live version it shadows and what the declaration covers. */
export async function publishCandidate(flags: ParsedArgs, io: CliIo, author: string, creds: ChannelCredentials): Promise<number> {
  const dir = need(flags, 'rules');
  const reason = need(flags, 'reason');
  const registry = need(flags, 'registry');
  const token = readTokenFile(need(flags, 'token-file'));
  loadRuleset(dir, io);
  const expectChanges = (flags.get('expect-changes') ?? '').split(/[\s;]+/).filter((s) => s !== '');
  const expect = flags.get('expect-version');
  if (expect !== undefined && !/^\d{1,15}$/.test(expect))
    throw new UsageError(`publish: --expect-version ${JSON.stringify(expect)} must be an integer >= 0`);
  const request = {
    files: packFiles(dir),
    reason,
    author,
    expectChanges,
    ...(expect === undefined ? {} : { expectVersion: Number(expect) }),
  };
  const r = await callRegistry<PublishCandidateResponseMessage>(registry, token, 'PublishCandidate', request, undefined, creds);
  if (flags.on('json')) {
    io.stdout.write(
      `${JSON.stringify({ ...r, version: r.version ? { ...r.version, signature: r.version.signature.toString('base64') } : null })}\n`,
    );
    return 0;
  }
  for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
  io.stdout.write(`candidate: version ${r.version?.version ?? 0} sha256 ${r.version?.sha256 ?? ''} (live stays ${r.liveVersion})\n`);
  const total = r.expected.reduce((n, g) => n + g.changedDates, 0);
  io.stdout.write(`declared changes cover ${total} trade date(s) in ${r.expected.length} range(s):\n`);
  for (const g of r.expected) io.stdout.write(`  ${rangeKey(g)} ${g.from}..${g.to}: ${g.changedDates} trade date(s)\n`);
  return 0;
}
