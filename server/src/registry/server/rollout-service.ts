import { callerName } from './caller-identity.js';
import { RegistryError } from './registry-error.js';
import { registryStream, registryUnary, type RegistryHandlerContext } from './registry-handler.js';
import type { RegistryLedger } from './registry-ledger.js';
import { candidateDiff, refuseOutside, toWireRange } from './candidate-diff.js';
import type { FleetState } from './fleet-state.js';
import { DEFAULT_MIN_SHADOW_DECISIONS, promoteBlockers, sumShadow } from './rollout-guards.js';
import type { CandidateRow, RolloutStore } from './rollout-store.js';
import { shadowReport } from './shadow-report.js';
import {
  parseExpectedChanges,
  versionInfo,
  type AbortRequestMessage,
  type AbortResponseMessage,
  type FollowRolloutRequestMessage,
  type FollowRolloutResponseMessage,
  type GetShadowReportRequestMessage,
  type GetShadowReportResponseMessage,
  type ListFleetRequestMessage,
  type ListFleetResponseMessage,
  type PromoteRequestMessage,
  type PromoteResponseMessage,
  type PublishCandidateRequestMessage,
  type PublishCandidateResponseMessage,
  type ReportStateRequestMessage,
  type ReportStateResponseMessage,
  type RolloutServiceHandlers,
  type RolloutStateMessage,
  type StartRolloutRequestMessage,
  type StartRolloutResponseMessage,
} from '../index.js';

export interface RolloutServiceDeps extends RegistryHandlerContext {
  readonly ledger: RegistryLedger;
  readonly rollout: RolloutStore;
  readonly fleet: FleetState;
  /** The live version changed (a promote): send it to every Watch stream. */
  readonly promoted: (version: number) => void;
  readonly nacked: (sidecarId: string, version: number, state: string, reason: string) => void;
  /** Where the versions are when that store keeps no candidates (etcd), else null: candidate writes are refused. */
  readonly candidatesUnsupported: string | null;
  /** Four-eyes publishing (--require-approval): a candidate would go live at promote unapproved, so none is accepted. */
  readonly requireApproval: boolean;
}

const quoted = (text: string): string => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
/** The author a client sent: never trusted (the authenticated name is signed), noted in the audit detail. */
const claimed = (author: string): string => (author === '' ? '' : ` claimed_author=${quoted(author)}`);
const invalid = (field: string, message: string, value = ''): RegistryError =>
  new RegistryError('INVALID_ARGUMENT', message, { field, value });

function requireText(value: string, field: string): string {
  if (value.trim() === '') throw invalid(field, `${field} is required`);
  return value.trim();
}

function checkFollower(sidecarId: string, labels: Readonly<Record<string, string>>): void {
  if (sidecarId === '' || sidecarId.length > 200)
    throw invalid('sidecar_id', `sidecar_id ${quoted(sidecarId)} must be 1..200 characters`, sidecarId.slice(0, 200));
  if (Object.keys(labels).length > 32) throw invalid('labels', `at most 32 labels, got ${Object.keys(labels).length}`);
}

/** The RolloutService handlers, each through the registry adapter (auth, audit, status table). */
export function rolloutService(deps: RolloutServiceDeps): RolloutServiceHandlers {
  const { ledger, rollout, fleet } = deps;
  // Candidate state is a table of the SQLite file (rollout-store.ts); etcd replicas would not share it.
  const refuse = (): void => {
    ledger.refuseOnRelay();
    const store = deps.candidatesUnsupported;
    if (store === null) return;
    throw new RegistryError(
      'CANDIDATES_UNSUPPORTED',
      `this registry keeps its versions in ${store}; rollout candidates are kept only by a registry with --store sqlite: publish without --stage candidate`,
      { store },
    );
  };
  const refuseCandidate = (): void => {
    refuse();
    if (!deps.requireApproval) return;
    throw new RegistryError(
      'CANDIDATES_UNSUPPORTED',
      'this registry requires approval (--require-approval): a candidate would go live at promote without a second identity approving it; publish and approve instead',
      { flag: '--require-approval' },
    );
  };
  const today = (): number => Math.floor(deps.now().getTime() / 86_400_000);
  const state = (row: CandidateRow): RolloutStateMessage => ({
    version: row.version,
    state: row.stage,
    selector: { ...row.selector },
    percent: row.percent,
    expectChanges: [...row.expectChanges],
    nacks: row.nacks,
    lastNack: row.lastNack,
    liveVersion: ledger.liveVersion(),
  });
  const openCandidate = (version: number): CandidateRow => {
    const row = version === 0 ? null : rollout.get(version);
    if (row === null) throw new RegistryError('NOT_A_CANDIDATE', `version ${version} is not a candidate`, { version: String(version) });
    if (row.stage === 'promoted' || row.stage === 'aborted')
      throw new RegistryError('NOT_A_CANDIDATE', `candidate version ${version} is already ${row.stage}`, {
        version: String(version),
        stage: row.stage,
      });
    return row;
  };
  // Periodic reports (version 0) are not audited: only ACKs and NACKs are.
  const reportCtx: RegistryHandlerContext = {
    ...deps,
    audit: (e) => (e.detail.startsWith('periodic') && e.result === 'ok' ? undefined : deps.audit(e)),
  };
  return {
    PublishCandidate: registryUnary<PublishCandidateRequestMessage, PublishCandidateResponseMessage>(
      {
        method: 'PublishCandidate',
        role: 'publish',
        refuse: refuseCandidate,
        describe: (r) =>
          `files=${r.files.length} reason=${quoted(r.reason)}${claimed(r.author)} expect_changes=${quoted(r.expectChanges.join(' '))}`,
        // A candidate is always a new version: its audit row commits with it (name, detail, "created version N").
        auditedWith: () => true,
      },
      deps,
      async (r, who, scope, detail) => {
        let declared;
        try {
          declared = parseExpectedChanges(r.expectChanges);
        } catch (e) {
          throw invalid('expect_changes', (e as Error).message, r.expectChanges.join(' ').slice(0, 200));
        }
        requireText(r.reason, 'reason');
        rollout.refuseWhileOpen();
        const compiled = ledger.compile(r.files, today());
        const live = await ledger.live();
        const diff = await candidateDiff(live?.document ?? null, compiled.canonical, declared, today(), scope);
        if (diff.outside.length > 0) throw refuseOutside(diff.outside, declared);
        // Signed and audited with the authenticated name; the author a client sends is only noted in the detail.
        const name = callerName(who);
        const upload = { reason: r.reason, author: name, expectVersion: r.expectVersion ?? undefined, today: today() };
        const audit = { who: name, action: 'PublishCandidate', detail };
        const out = await ledger.publishStaged(r.files, upload, audit, (v) => rollout.insert(v, r.expectChanges));
        await fleet.broadcast();
        return {
          version: versionInfo(out.record),
          warnings: [...out.warnings],
          expected: diff.expected.map(toWireRange),
          liveVersion: live?.version ?? 0,
        };
      },
    ),
    StartRollout: registryUnary<StartRolloutRequestMessage, StartRolloutResponseMessage>(
      {
        method: 'StartRollout',
        role: 'publish',
        refuse,
        describe: (r) =>
          `version=${r.version} selector=${quoted(JSON.stringify(r.selector))} percent=${r.percent} reason=${quoted(r.reason)}`,
      },
      deps,
      async (r) => {
        const row = openCandidate(r.version);
        if (row.stage === 'halted')
          throw new RegistryError('ROLLOUT_HALTED', `the rollout of version ${r.version} halted on a NACK (${row.lastNack}): abort it`, {
            version: String(r.version),
          });
        if (r.percent > 100) throw invalid('percent', `percent ${r.percent} must be 1..100`, String(r.percent));
        if (r.percent === 0 && Object.keys(r.selector).length === 0) throw invalid('selector', 'a rollout needs a selector or a percent');
        const next = rollout.setStage(r.version, 'rolling', { selector: { ...r.selector }, percent: r.percent });
        await fleet.broadcast();
        return { rollout: state(next) };
      },
    ),
    Promote: registryUnary<PromoteRequestMessage, PromoteResponseMessage>(
      {
        method: 'Promote',
        role: 'publish',
        refuse,
        describe: (r) => `version=${r.version} min_shadow_decisions=${r.minShadowDecisions} force=${r.force} reason=${quoted(r.reason)}`,
      },
      deps,
      async (r) => {
        const row = openCandidate(r.version);
        if (r.force && r.reason.trim() === '') throw invalid('reason', 'force needs a reason (it is kept in the audit log)');
        const min = r.minShadowDecisions === 0 ? DEFAULT_MIN_SHADOW_DECISIONS : r.minShadowDecisions;
        const blockers = promoteBlockers(row, sumShadow(fleet.shadowOf(r.version)), min);
        if (blockers.length > 0 && !r.force)
          throw new RegistryError(
            'PROMOTE_BLOCKED',
            `promote of version ${r.version} refused: ${blockers.join('; ')} (--force --reason TEXT overrides)`,
            {
              version: String(r.version),
            },
          );
        const next = rollout.setStage(r.version, 'promoted');
        deps.promoted(r.version);
        await fleet.broadcast();
        return { rollout: state(next) };
      },
    ),
    Abort: registryUnary<AbortRequestMessage, AbortResponseMessage>(
      {
        method: 'Abort',
        role: 'publish',
        refuse,
        describe: (r) => `version=${r.version} reason=${quoted(r.reason)}`,
      },
      deps,
      async (r) => {
        openCandidate(r.version);
        requireText(r.reason, 'reason');
        const next = rollout.setStage(r.version, 'aborted');
        await fleet.broadcast();
        return { rollout: state(next) };
      },
    ),
    ListFleet: registryUnary<ListFleetRequestMessage, ListFleetResponseMessage>(
      { method: 'ListFleet', role: 'read', describe: () => '' },
      deps,
      () => {
        const open = rollout.open();
        return { followers: fleet.list(), liveVersion: ledger.liveVersion(), rollout: open === null ? null : state(open) };
      },
    ),
    GetShadowReport: registryUnary<GetShadowReportRequestMessage, GetShadowReportResponseMessage>(
      { method: 'GetShadowReport', role: 'read', describe: (r) => `version=${r.version}` },
      deps,
      async (r) => {
        if (r.version === 0) throw invalid('version', 'version is required');
        return shadowReport(r.version, fleet.shadowOf(r.version));
      },
    ),
    ReportState: registryUnary<ReportStateRequestMessage, ReportStateResponseMessage>(
      {
        method: 'ReportState',
        role: 'read',
        describe: (r) =>
          r.version === 0
            ? `periodic sidecar_id=${quoted(r.sidecarId)}`
            : `sidecar_id=${quoted(r.sidecarId)} version=${r.version} ${r.ack ? 'ACK' : 'NACK'} ${r.state} ${quoted(r.reason)}`,
      },
      reportCtx,
      async (r) => {
        checkFollower(r.sidecarId, r.labels);
        fleet.report(r);
        if (r.version !== 0 && !r.ack) {
          deps.nacked(r.sidecarId, r.version, r.state, r.reason);
          const row = rollout.get(r.version);
          if (row !== null && row.stage !== 'promoted' && row.stage !== 'aborted') {
            rollout.recordNack(r.version, `${r.sidecarId}: ${r.state}: ${r.reason}`.slice(0, 500));
            if (row.stage === 'rolling') {
              rollout.setStage(r.version, 'halted');
              await fleet.broadcast();
            }
          }
        }
        return {};
      },
    ),
    FollowRollout: registryStream<FollowRolloutRequestMessage, FollowRolloutResponseMessage>(
      {
        method: 'FollowRollout',
        role: 'read',
        describe: (r) => `sidecar_id=${quoted(r.sidecarId)} labels=${quoted(JSON.stringify(r.labels))}`,
      },
      deps,
      (call) => {
        checkFollower(call.request.sidecarId, call.request.labels);
        return fleet.attach(call);
      },
    ),
  };
}
