import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../runtime/index.js';
import { snapshotMessage, type FollowRolloutResponseMessage, type RolloutServiceHandlers, type SnapshotMessage } from '../index.js';
import type { VersionRecord } from '../index.js';
import { FleetState, percentBucket } from './fleet-state.js';
import type { RegistryLedger } from './registry-ledger.js';
import type { RegistryMetrics } from './registry-metrics.js';
import type { RegistryBackend } from './registry-backend.js';
import type { RegistryTokens } from './registry-tokens.js';
import { rolloutService } from './rollout-service.js';
import type { CandidateRow, RolloutStore } from './rollout-store.js';

/** The NACK states a follower reports (the label values of tplus_registry_rollout_nacks_total; anything else counts as build_failure). */
export const NACK_STATES = ['bad_hash', 'bad_signature', 'missing_signature', 'build_failure', 'store_failed'] as const;

export interface RolloutDeps {
  readonly state: RolloutStore;
  readonly ledger: RegistryLedger;
  /** A promoted candidate is live: heartbeats name it and Watch streams get it. */
  readonly live: (record: VersionRecord) => void;
  readonly tokens: RegistryTokens;
  /** Mutual TLS: a client certificate's subject CN names the identity (as for RegistryService). */
  readonly certificateIdentities: boolean;
  readonly store: RegistryBackend;
  readonly log: Logger;
  readonly now: () => Date;
  readonly registry: Registry;
  readonly metrics: RegistryMetrics;
  /** The store's location when it keeps no candidates (etcd), else null. */
  readonly candidatesUnsupported: string | null;
  /** Four-eyes publishing is on (--require-approval): candidates are refused. */
  readonly requireApproval: boolean;
}

export interface RolloutHandle {
  readonly handlers: RolloutServiceHandlers;
  readonly fleet: FleetState;
  close(): void;
}

/** True when a follower is selected by a rolling candidate: its stable bucket under the percent, or every selector label. */
export function selected(row: CandidateRow, sidecarId: string, labels: Readonly<Record<string, string>>): boolean {
  if (row.stage !== 'rolling') return false;
  if (row.percent > 0) return percentBucket(sidecarId, row.version) < row.percent;
  const pairs = Object.entries(row.selector);
  return pairs.length > 0 && pairs.every(([k, v]) => labels[k] === v);
}

/** Wires RolloutService: the fleet, the directive each follower gets, promote and NACK side effects. */
export function startRollout(d: RolloutDeps): RolloutHandle {
  let cached: SnapshotMessage | null = null;
  const snapshotOf = async (version: number): Promise<SnapshotMessage> => {
    if (cached?.version !== version) cached = snapshotMessage(await d.ledger.get(version));
    return cached;
  };
  const directive = async (sidecarId: string, labels: Readonly<Record<string, string>>): Promise<FollowRolloutResponseMessage> => {
    const live = d.ledger.liveVersion();
    const open = d.state.open();
    if (open === null) return { liveVersion: live, candidate: null, activate: false, expectChanges: [] };
    return {
      liveVersion: live,
      candidate: await snapshotOf(open.version),
      activate: selected(open, sidecarId, labels),
      expectChanges: [...open.expectChanges],
    };
  };
  const fleet = new FleetState(d.registry, d.now, directive);
  const nacks = new Counter({
    name: 'tplus_registry_rollout_nacks_total',
    help: 'Candidate versions a follower refused (NACK), by why: bad_hash, bad_signature, missing_signature, build_failure, store_failed. A NACK halts a rolling candidate and blocks its promote.',
    labelNames: ['state'],
    registers: [d.registry],
  });
  for (const state of NACK_STATES) nacks.inc({ state }, 0);
  const handlers = rolloutService({
    ledger: d.ledger,
    candidatesUnsupported: d.candidatesUnsupported,
    requireApproval: d.requireApproval,
    rollout: d.state,
    fleet,
    tokens: d.tokens,
    certificateIdentities: d.certificateIdentities,
    audit: (entry) => void d.store.audit(entry).catch((err: unknown) => d.log.error('audit_failed', { error: err })),
    now: d.now,
    onInternalError: (method, err) => d.log.error('internal_error', { method, error: err }),
    onAuditFailed: (err) => d.log.error('audit_failed', { error: err }),
    requestDone: (method, code) => d.metrics.requestDone(method, code),
    promoted: (version) => {
      d.log.info('candidate_promoted', { version });
      void d.ledger.get(version).then(
        (record) => d.live(record),
        (err: unknown) => d.log.error('promote_publish_failed', { version, error: err }),
      );
    },
    nacked: (sidecarId, version, state, reason) => {
      nacks.inc({ state: (NACK_STATES as readonly string[]).includes(state) ? state : 'build_failure' });
      d.log.warn('rollout_nack', { sidecarId, version, state, reason });
    },
  });
  return { handlers, fleet, close: () => fleet.close() };
}
