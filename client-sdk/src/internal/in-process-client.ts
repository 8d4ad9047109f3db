import { createPublicKey, KeyObject } from 'node:crypto';
import { isDecisionError, type DecideTerms } from '@tplus/core';
import { SettlementError, Status } from '../settlement-error.js';
import type { CallOptions, InProcessClientOptions, ReadyOptions, RpcMethod, SettlementDetails, SettlementRequest } from '../types.js';
import { callSignal, cancelledError } from './abort.js';
import { AlertPolicy } from './alert-policy.js';
import { ClientBase } from './client-base.js';
import type { BatchItemResult } from './client-core.js';
import { InProcessMetrics } from './in-process-metrics.js';
import { RulesetSync } from './ruleset-sync.js';
import { itemError } from './to-settlement-error.js';
import { validateRequest } from './validate-request.js';
import type { SyncedRuleset } from './verify-ruleset.js';

function trustedKey(key: string | Buffer | KeyObject, index: number): KeyObject {
  const k = key instanceof KeyObject ? key : createPublicKey(key);
  if (k.asymmetricKeyType !== 'ed25519')
    throw new TypeError(`trust.publicKeys[${index}] is a ${String(k.asymmetricKeyType)} key, not an ed25519 public key`);
  return k.type === 'private' ? createPublicKey(k) : k;
}

/** The request's type and segment, or undefined when it has none (the plain REGULAR path, as in the sidecar). */
function termsOf(r: SettlementRequest): DecideTerms | undefined {
  if (r.settlementType === undefined && r.optionDays === undefined && r.settlementDate === undefined && r.segment === undefined)
    return undefined;
  return r;
}

function notSynced(address: string): SettlementError {
  return new SettlementError(Status.UNAVAILABLE, 'NOT_SYNCED', `no ruleset synced from the sidecar at ${address} yet`);
}

/**
 * `mode: 'in-process'`: answers from a ruleset synced from the sidecar (WatchRuleset), verified and
 * built with @tplus/core. Tiers: the live version; the last synced one while the sidecar is away
 * (`stale: true`, alerted past `maxStalenessMs`); the provisional T+2 fallback only when nothing was
 * ever synced. Each call reads the synced version once, so a batch never mixes two versions.
 */
export class InProcessClient extends ClientBase {
  private readonly sync: RulesetSync;
  private readonly metrics: InProcessMetrics | null;
  private readonly timer: NodeJS.Timeout;
  private readonly address: string;
  private syncedAtMs = -1;
  private syncedAtText = '';

  constructor(options: InProcessClientOptions) {
    super(options);
    this.address = options.address;
    const maxStalenessMs = options.maxStalenessMs ?? 300_000;
    if (!Number.isFinite(maxStalenessMs) || maxStalenessMs <= 0)
      throw new TypeError(`maxStalenessMs must be a positive number, got ${String(options.maxStalenessMs)}`);
    const trusted = (options.trust?.publicKeys ?? []).map(trustedKey);
    this.metrics = options.registry
      ? new InProcessMetrics(options.registry, () => (this.sync.current ? (Date.now() - this.sync.syncedAt) / 1000 : null))
      : null;
    const events = this.core.events;
    const rejectedVersions = new Set<number>();
    this.sync = new RulesetSync(this.core.stub, trusted, {
      activated: (s, previousVersion) => {
        this.metrics?.activated(s.ruleset.version);
        events.emit('rulesetActivated', {
          version: s.ruleset.version,
          hash: s.ruleset.hash,
          previousVersion,
          source: s.source,
          signatureVerified: s.signatureVerified,
          at: Date.now(),
        });
      },
      rejected: (err, version) => {
        this.metrics?.rejectedVersion(err.reason);
        const at = Date.now();
        const keptVersion = this.sync.current?.ruleset.version ?? 0;
        events.emit('rulesetRejected', { version, reason: err.reason, message: err.message, keptVersion, at });
        if (rejectedVersions.has(version)) return;
        rejectedVersions.add(version);
        const message = `refused ruleset version ${version} from the sidecar (${err.reason}: ${err.message}); answering from version ${keptVersion || 'none'}`;
        events.emit('alert', {
          kind: 'ruleset',
          errorCode: err.reason.toUpperCase(),
          message,
          fallbacksSinceLastAlert: 1,
          incidentStartedAt: at,
          at,
        });
      },
    });
    const staleAlerts = new AlertPolicy(options.alertIntervalMs ?? 60_000, options.healthyPeriodMs ?? 60_000);
    this.timer = setInterval(
      () => {
        const s = this.sync.current;
        const age = Date.now() - this.sync.syncedAt;
        if (s === null || age <= maxStalenessMs) return;
        const now = Date.now();
        const alert = staleAlerts.onFallback(now);
        if (!alert) return;
        const message = `answering from ruleset version ${s.ruleset.version}, which the sidecar at ${this.address} last confirmed ${Math.round(age / 1000)} s ago (maxStalenessMs ${maxStalenessMs})`;
        events.emit('alert', { kind: 'stale', errorCode: 'RULESET_STALE', message, ...alert, at: now });
      },
      Math.min(1_000, maxStalenessMs / 2),
    );
    this.timer.unref();
    this.sync.start();
  }

  /** The same answer as getSettlementDateDetails, synchronously; throws SettlementError NOT_READY before the first sync. */
  decideSync(request: SettlementRequest): SettlementDetails {
    validateRequest(request);
    const s = this.sync.current;
    if (s === null)
      throw new SettlementError(
        Status.UNAVAILABLE,
        'NOT_READY',
        `no ruleset synced from the sidecar at ${this.address} yet: await ready() first`,
      );
    return this.answer(s, request);
  }

  override async getSettlementDateDetails(request: SettlementRequest, options: CallOptions = {}): Promise<SettlementDetails> {
    const tradeDay = validateRequest(request);
    const signal = callSignal(options.signal);
    if (signal?.aborted) throw cancelledError(signal);
    const s = this.sync.current;
    if (s !== null) return this.answer(s, request);
    return this.fallback('GetSettlementDate', request, tradeDay, options);
  }

  async getSettlementDates(requests: readonly SettlementRequest[], options: CallOptions = {}): Promise<BatchItemResult[]> {
    const signal = callSignal(options.signal);
    if (signal?.aborted) throw cancelledError(signal);
    const s = this.sync.current;
    return requests.map((request) => {
      try {
        const tradeDay = validateRequest(request);
        return {
          ok: true,
          value: s !== null ? this.answer(s, request) : this.fallback('BatchGetSettlementDates', request, tradeDay, options),
        } as const;
      } catch (e) {
        return { ok: false, error: this.core.failure(e) } as const;
      }
    });
  }

  /** Resolves once a verified ruleset is loaded; rejects with SettlementError DEADLINE_EXCEEDED after `timeoutMs` (default 10,000). */
  async ready(options: ReadyOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
      throw new TypeError(`timeoutMs must be a non-negative number, got ${String(options.timeoutMs)}`);
    if (await this.sync.loaded(timeoutMs)) return;
    throw new SettlementError(
      Status.DEADLINE_EXCEEDED,
      'DEADLINE_EXCEEDED',
      `no ruleset synced from the sidecar at ${this.address} within ${timeoutMs} ms`,
    );
  }

  protected override stop(): void {
    clearInterval(this.timer);
    this.sync.close();
  }

  private answer(s: SyncedRuleset, request: SettlementRequest): SettlementDetails {
    const r = s.ruleset;
    const pinned = request.rulesetVersion;
    if (pinned !== undefined && pinned !== 0 && pinned !== r.version) {
      throw itemError(
        'VERSION_NOT_HELD',
        `ruleset_version ${pinned} is not held by this in-process client (it holds ${r.version}); ask a sidecar (mode 'rpc') to replay older versions`,
      );
    }
    let d;
    try {
      d = r.decide(request.tradeDate, request.assetClass, request.market, request.allowNonTradingDay === true, termsOf(request));
    } catch (e) {
      throw isDecisionError(e) ? itemError(e.code, e.message) : e;
    }
    if (this.metrics) this.metrics.answers++;
    if (this.syncedAtMs !== this.sync.syncedAt) {
      this.syncedAtMs = this.sync.syncedAt;
      this.syncedAtText = new Date(this.syncedAtMs).toISOString();
    }
    const rule = d.rule;
    return {
      settlementDate: d.settlementDate,
      source: 'in-process',
      provisional: false,
      cycleDays: rule.cycleDays,
      ruleId: rule.id,
      ruleName: rule.name,
      calendarId: rule.settlementCalendar.id,
      rulesetVersion: d.rulesetVersion,
      rulesetHash: d.rulesetHash,
      settlementType: d.settlementType,
      ...(rule.segment === null ? {} : { segment: rule.segment }),
      businessDays: d.businessDays,
      ...(d.typeTerms === null ? {} : { settlementTypeSource: d.typeTerms.source }),
      stale: !this.sync.live,
      syncedAt: this.syncedAtText,
    };
  }

  private fallback(method: RpcMethod, request: SettlementRequest, tradeDay: number, options: CallOptions): SettlementDetails {
    const started = performance.now();
    try {
      const answer = this.core.fallbackOrThrow(method, request, tradeDay, notSynced(this.address), options);
      this.core.record(method, 'fallback', started);
      return answer;
    } catch (thrown) {
      this.core.record(method, 'failure', started);
      throw thrown;
    }
  }
}
