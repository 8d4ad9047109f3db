import { diffSteps } from '@tplus/core';
import { Ruleset } from '@tplus/core';
import type { RulesetDocument } from '@tplus/core';
import { CallCancelled } from './call-scope.js';
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
  readonly hub: WatchHub;
  /** Trade-date comparisons a Diff made (reported per slice; a cancelled Diff stops adding). */
  readonly diffProgress?: (comparisons: number) => void;
}

const quoted = (text: string): string => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
const expectText = (v: number | undefined): string => (v === undefined ? '' : ` expect_version=${v}`);
const created = (r: PublishResponseMessage): string =>
  r.created ? `created version ${r.version.version}` : `unchanged: version ${r.version.version}`;

function rulesetOf(r: VersionRecord): Ruleset {
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
        describe: (r) => `files=${r.files.length} reason=${quoted(r.reason)} author=${quoted(r.author)}${expectText(r.expectVersion)}`,
        outcome: created,
      },
      deps,
      async (r, who) => {
        const out = await ledger.publish(r.files, r.reason, r.author || 'unknown', r.expectVersion, today(), who);
        return { version: versionInfo(out.record), created: out.created, warnings: [...out.warnings] };
      },
    ),
    Rollback: registryUnary<RollbackRequestMessage, PublishResponseMessage>(
      {
        method: 'Rollback',
        role: 'publish',
        refuse: () => ledger.refuseOnRelay(),
        describe: (r) => `to_version=${r.toVersion} reason=${quoted(r.reason)} author=${quoted(r.author)}${expectText(r.expectVersion)}`,
        outcome: created,
      },
      deps,
      async (r, who) => {
        if (r.toVersion === 0) throw new RegistryError('INVALID_ARGUMENT', 'to_version is required', { field: 'to_version' });
        const out = await ledger.rollback(r.toVersion, r.reason, r.author || 'unknown', r.expectVersion, who);
        return { version: versionInfo(out.record), created: out.created, warnings: [] };
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
      async () => ({ versions: (await ledger.store.list()).map(versionInfo) }),
    ),
    Diff: registryUnary<DiffRequestMessage, DiffResponseMessage>(
      {
        method: 'Diff',
        role: 'read',
        describe: (r) =>
          `from_version=${r.fromVersion} to_version=${r.toVersion} from_date=${quoted(r.fromDate)} to_date=${quoted(r.toDate)}`,
      },
      deps,
      async (r, _who, scope) => {
        const window = diffWindow(r.fromDate, r.toDate, today());
        const from = await ledger.get(r.fromVersion);
        const to = await ledger.get(r.toVersion);
        // Sliced: the registry keeps serving publishes, heartbeats and reads while a Diff runs
        // (building one ruleset takes ~10-30 ms: one at a time, with a turn of the loop between).
        const before = rulesetOf(from);
        await yieldToEventLoop();
        if (scope.signal.aborted) throw new CallCancelled();
        const ranges = await runInSlices(diffSteps(before, rulesetOf(to), window.from, window.to), scope, deps.diffProgress);
        // The core's ranges are readonly; the wire type is not (a Diff is rare: the copy costs nothing that matters).
        return { fromSha256: from.sha256, toSha256: to.sha256, ranges: ranges.map((g) => ({ ...g, examples: [...g.examples] })) };
      },
    ),
    Watch: registryStream<WatchRequestMessage, WatchEventMessage>(
      { method: 'Watch', role: 'read', describe: (r) => `since_version=${r.sinceVersion}` },
      deps,
      async (call) => hub.watch(call, call.request.sinceVersion, await ledger.latestForWatch(call.request.sinceVersion)),
    ),
  };
}
