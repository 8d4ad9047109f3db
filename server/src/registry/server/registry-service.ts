import { diffSteps } from '@tplus/core';
import { Ruleset } from '@tplus/core';
import type { RulesetDocument } from '@tplus/core';
import { approvalHandlers, submittedResponse } from './approval-handlers.js';
import type { ApprovalGate } from './approval-gate.js';
import { CallCancelled } from './call-scope.js';
import { callerName } from './caller-identity.js';
import { toWireRange } from './candidate-diff.js';
import { diffWindow } from './diff-window.js';
import { RegistryError } from './registry-error.js';
import { registryStream, registryUnary, type RegistryHandlerContext } from './registry-handler.js';
import type { RegistryLedger } from './registry-ledger.js';
import { runInSlices, yieldToEventLoop } from './run-in-slices.js';
import {
  snapshotMessage,
  versionInfo,
  type DiffRequestMessage,
  type DiffResponseMessage,
  type GetVersionRequestMessage,
  type ListVersionsRequestMessage,
  type ListVersionsResponseMessage,
  type PublishRequestMessage,
  type PublishResponseMessage,
  type RegistryServiceHandlers,
  type RollbackRequestMessage,
  type SnapshotMessage,
  type WatchEventMessage,
  type WatchRequestMessage,
} from '../index.js';
import type { VersionRecord } from '../index.js';
import type { WatchHub } from './watch-hub.js';

export interface RegistryServiceDeps extends RegistryHandlerContext {
  readonly ledger: RegistryLedger;
  /** Four-eyes publishing (--require-approval): publishes become pending versions. Null otherwise. */
  readonly approvals: ApprovalGate | null;
  readonly hub: WatchHub;
  /** Trade-date comparisons a Diff made (reported per slice; a cancelled Diff stops adding). */
  readonly diffProgress?: (comparisons: number) => void;
  /** The rollout stage of a version published as a candidate ('' for one published live), for ListVersions. */
  readonly stageOf?: (version: number) => string;
}

const quoted = (text: string): string => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
const expectText = (v: number | undefined): string => (v === undefined ? '' : ` expect_version=${v}`);
/** The author a client sent: never trusted (the authenticated name is signed), noted in the audit detail. */
const claimed = (author: string): string => (author === '' ? '' : ` claimed_author=${quoted(author)}`);
const created = (r: PublishResponseMessage): string =>
  r.created ? `created version ${r.version.version}` : `unchanged: version ${r.version.version}`;

function requireReason(reason: string): string {
  const r = reason.trim();
  if (r === '') throw new RegistryError('INVALID_ARGUMENT', 'a reason is required', { field: 'reason' });
  return r;
}

/** A pending version as Diff compares it (its document, hash and the number it would not yet have: 0). */
async function pendingAsVersion(
  approvals: ApprovalGate | null,
  id: number,
): Promise<Pick<VersionRecord, 'document' | 'version' | 'sha256'>> {
  if (approvals === null)
    throw new RegistryError('INVALID_ARGUMENT', 'this registry does not require approval: nothing is pending', { field: 'to_pending_id' });
  const p = await approvals.get(id);
  return { document: p.document, version: 0, sha256: p.sha256 };
}

function rulesetOf(r: Pick<VersionRecord, 'document' | 'version' | 'sha256'>): Ruleset {
  return new Ruleset(JSON.parse(r.document.toString('utf8')) as RulesetDocument, { version: r.version, hash: r.sha256 });
}

/** The RegistryService handlers (typed from the proto), each wrapped by the registry adapter (auth, audit, status table). */
export function registryService(deps: RegistryServiceDeps): RegistryServiceHandlers {
  const { ledger, hub } = deps;
  const today = (): number => Math.floor(deps.now().getTime() / 86_400_000);
  return {
    Publish: registryUnary<PublishRequestMessage, PublishResponseMessage>(
      {
        method: 'Publish',
        role: 'publish',
        refuse: () => ledger.refuseOnRelay(),
        describe: (r) => `files=${r.files.length} reason=${quoted(r.reason)}${claimed(r.author)}${expectText(r.expectVersion)}`,
        outcome: created,
        auditedWith: (res) => res.created || res.pending !== null,
      },
      deps,
      async (r, who, _scope, detail) => {
        const name = callerName(who);
        const audit = { who: name, action: 'Publish', detail };
        if (deps.approvals !== null) {
          const compiled = ledger.compile(r.files, today());
          const out = await deps.approvals.submit(compiled.canonical, name, requireReason(r.reason), 0, r.expectVersion, audit);
          return await submittedResponse(out, compiled.warnings, ledger);
        }
        const out = await ledger.publish(r.files, r.reason, name, r.expectVersion, today(), audit);
        return { version: versionInfo(out.record), created: out.created, warnings: [...out.warnings], pending: null };
      },
    ),
    Rollback: registryUnary<RollbackRequestMessage, PublishResponseMessage>(
      {
        method: 'Rollback',
        role: 'publish',
        refuse: () => ledger.refuseOnRelay(),
        describe: (r) => `to_version=${r.toVersion} reason=${quoted(r.reason)}${claimed(r.author)}${expectText(r.expectVersion)}`,
        outcome: created,
        auditedWith: (res) => res.created || res.pending !== null,
      },
      deps,
      async (r, who, _scope, detail) => {
        if (r.toVersion === 0) throw new RegistryError('INVALID_ARGUMENT', 'to_version is required', { field: 'to_version' });
        const name = callerName(who);
        const audit = { who: name, action: 'Rollback', detail };
        if (deps.approvals !== null) {
          const target = await ledger.get(r.toVersion);
          const out = await deps.approvals.submit(target.document, name, requireReason(r.reason), target.version, r.expectVersion, audit);
          return await submittedResponse(out, [], ledger);
        }
        const out = await ledger.rollback(r.toVersion, r.reason, name, r.expectVersion, audit);
        return { version: versionInfo(out.record), created: out.created, warnings: [], pending: null };
      },
    ),
    GetVersion: registryUnary<GetVersionRequestMessage, SnapshotMessage>(
      { method: 'GetVersion', role: 'read', describe: (r) => `version=${r.version}` },
      deps,
      async (r) => snapshotMessage(await ledger.get(r.version)),
    ),
    ListVersions: registryUnary<ListVersionsRequestMessage, ListVersionsResponseMessage>(
      { method: 'ListVersions', role: 'read', describe: () => '' },
      deps,
      async () => ({ versions: (await ledger.store.list()).map((r) => versionInfo(r, deps.stageOf?.(r.version) ?? '')) }),
    ),
    Diff: registryUnary<DiffRequestMessage, DiffResponseMessage>(
      {
        method: 'Diff',
        role: 'read',
        describe: (r) =>
          `from_version=${r.fromVersion} to_version=${r.toVersion}${r.toPendingId ? ` to_pending_id=${r.toPendingId}` : ''} from_date=${quoted(r.fromDate)} to_date=${quoted(r.toDate)}`,
      },
      deps,
      async (r, _who, scope) => {
        const window = diffWindow(r.fromDate, r.toDate, today());
        const from = await ledger.get(r.fromVersion);
        const to = r.toPendingId === 0 ? await ledger.get(r.toVersion) : await pendingAsVersion(deps.approvals, r.toPendingId);
        // Sliced: the registry keeps serving publishes, heartbeats and reads while a Diff runs
        // (building one ruleset takes ~10-30 ms: one at a time, with a turn of the loop between).
        const before = rulesetOf(from);
        await yieldToEventLoop();
        if (scope.signal.aborted) throw new CallCancelled();
        const ranges = await runInSlices(diffSteps(before, rulesetOf(to), window.from, window.to), scope, deps.diffProgress);
        // The core's ranges are readonly; the wire type is not (a Diff is rare: the copy costs nothing that matters).
        return { fromSha256: from.sha256, toSha256: to.sha256, ranges: ranges.map(toWireRange) };
      },
    ),
    ...approvalHandlers({ ...deps, store: ledger.store }),
    Watch: registryStream<WatchRequestMessage, WatchEventMessage>(
      { method: 'Watch', role: 'read', describe: (r) => `since_version=${r.sinceVersion}` },
      deps,
      async (call) => hub.watch(call, call.request.sinceVersion, await ledger.latestForWatch(call.request.sinceVersion)),
    ),
  };
}
