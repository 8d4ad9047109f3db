import type { KeyObject } from 'node:crypto';
import type { MetricsRegistry } from './internal/metric-family.js';
import type { ProvisionalLedger } from './provisional-ledger.js';

/** One trade to decide. Dates are `YYYY-MM-DD`. */
export interface SettlementRequest {
  readonly tradeDate: string;
  readonly assetClass: string;
  /** ISO 10383 MIC, e.g. XNYS. */
  readonly market: string;
  /** Decide even when the trade date is not a trading day of the market. */
  readonly allowNonTradingDay?: boolean;
  /** Answer with this older ruleset version (the sidecar must still hold it). */
  readonly rulesetVersion?: number;
  /**
   * How the trade was booked; default REGULAR. What each type means is data in the rule pack, per rule,
   * with its source; a type the rule does not define, or a value out of its bounds, is INVALID_ARGUMENT.
   */
  readonly settlementType?: SettlementTypeName;
  /** SELLERS_OPTION only: business days after the trade date until the option expires. */
  readonly optionDays?: number;
  /** WHEN_ISSUED only: the announced settlement date, `YYYY-MM-DD`. */
  readonly settlementDate?: string;
  /** The instrument's segment: a rule for it takes precedence over the market default. */
  readonly segment?: string;
}

/** The settlement types a request may name. */
export type SettlementTypeName = 'REGULAR' | 'CASH' | 'NEXT_DAY' | 'SELLERS_OPTION' | 'WHEN_ISSUED';

/** service: the sidecar answered over RPC; in-process: the client's synced ruleset answered; fallback: the hard-coded provisional answer. */
export type AnswerSource = 'service' | 'in-process' | 'fallback';

/** An answer with where it came from. A fallback answer is always provisional. */
export interface SettlementDetails {
  readonly settlementDate: string;
  readonly source: AnswerSource;
  readonly provisional: boolean;
  readonly cycleDays: number;
  readonly ruleId?: string;
  readonly ruleName?: string;
  readonly calendarId?: string;
  readonly rulesetVersion?: number;
  readonly rulesetHash?: string;
  /** The settlement type the date was computed for (REGULAR when the request named none). */
  readonly settlementType?: SettlementTypeName;
  /** The segment of the rule that applied; absent for a market default rule. */
  readonly segment?: string;
  /** Settlement business days after the trade date (cycleDays for REGULAR). */
  readonly businessDays?: number;
  /** For a non-regular type: the rule text the pack cites for it. */
  readonly settlementTypeSource?: string;
  /** For a fallback: why the service was not used, e.g. UNAVAILABLE, DEADLINE_EXCEEDED, BREAKER_OPEN. */
  readonly errorCode?: string;
  /** For a fallback: a human-readable reason. */
  readonly reason?: string;
  /** For a fallback: the provisional ledger entry to reconcile later. */
  readonly ledgerId?: string;
  /**
   * In-process only: true while the client cannot reach the sidecar and answers from the last version
   * it synced (still verified, not provisional), see `syncedAt`.
   */
  readonly stale?: boolean;
  /** In-process only: RFC 3339 time the sidecar last confirmed this client holds its active version. */
  readonly syncedAt?: string;
}

export interface CallOptions {
  /** false: throw the infrastructure error instead of answering from the fallback. Default true. */
  readonly fallback?: boolean;
  /** Overrides the client's deadline for this call. */
  readonly deadlineMs?: number;
  /**
   * Aborting it cancels this call: the RPC is cancelled (a coalesced call is dropped from its batch if
   * the batch has not left yet; otherwise only this caller stops waiting) and the call rejects with
   * SettlementError CANCELLED, a caller error: never a fallback, never counted by the breaker.
   */
  readonly signal?: AbortSignal;
}

/** The hard-coded answer used when the service cannot be reached: T+N over a weekends-only calendar. */
export interface FallbackOptions {
  /** Default 2. */
  readonly cycleDays?: number;
  /** Extra non-business days, `YYYY-MM-DD`. */
  readonly holidays?: readonly string[];
}

export interface BreakerOptions {
  /** Percentage of failed calls in the rolling window that opens the breaker. Default 50. */
  readonly errorThresholdPercentage?: number;
  /** Calls in the window before the percentage is applied. Default 5. */
  readonly volumeThreshold?: number;
  /** Time the breaker stays open before a half-open probe. Default 2,000 ms. */
  readonly resetTimeoutMs?: number;
  /** Rolling statistics window. Default 10,000 ms. */
  readonly rollingCountTimeoutMs?: number;
}

export interface TlsOptions {
  readonly rootCerts?: Buffer;
  readonly privateKey?: Buffer;
  readonly certChain?: Buffer;
}

/**
 * Coalescing of concurrent getSettlementDate* calls into BatchGetSettlementDates RPCs (RPC mode).
 * Calls issued in the same event-loop turn, or within `windowMs` of the first one, with the same
 * deadline travel together; each caller still gets its own answer, error or fallback.
 */
export interface CoalesceOptions {
  /** How long the first call of a batch waits for company; counts against its deadline. Default 0 (same turn). */
  readonly windowMs?: number;
  /** Calls per batch RPC; a full batch is sent at once. From 1 to 10,000 (the sidecar's default limit). Default 1,000. */
  readonly maxItems?: number;
}

export interface ReadyOptions {
  /** How long to wait before rejecting. Default 10,000 ms. */
  readonly timeoutMs?: number;
}

export interface SettlementClientOptions {
  /** `unix:///path/to/tplus.sock` or `host:port`. */
  readonly address: string;
  /**
   * `rpc` (default): every answer comes from the sidecar over gRPC (coalesced unless `coalesce: false`).
   * `in-process`: the client syncs the sidecar's ruleset (WatchRuleset), verifies it and answers locally.
   */
  readonly mode?: 'rpc' | 'in-process';
  /** Per-call gRPC deadline; the call is cancelled when it expires. Default 50 ms. */
  readonly deadlineMs?: number;
  /** The fallback's cycle and holidays, or false to never fall back (infrastructure errors throw). */
  readonly fallback?: FallbackOptions | false;
  /** Receives exactly the `alert` events. */
  readonly onAlert?: (alert: AlertEvent) => void;
  /**
   * prom-client (15) Registry for the SDK metrics; none are registered without it. prom-client is an
   * optional peer dependency: the SDK never loads it, it only calls `registry.registerMetric`.
   */
  readonly registry?: MetricsRegistry;
  readonly tls?: TlsOptions;
  readonly breaker?: BreakerOptions;
  /** After an incident's first alert, at most one alert per interval. Default 60,000 ms. */
  readonly alertIntervalMs?: number;
  /** A fallback after this long without one starts a new incident (and alerts at once). Default 60,000 ms. */
  readonly healthyPeriodMs?: number;
  /** Where fallback answers are recorded. Default: in memory. */
  readonly ledger?: ProvisionalLedger;
  /** Run reconcile() whenever a breaker closes. Default false. */
  readonly autoReconcile?: boolean;
  /** Coalesce concurrent single calls into batch RPCs (default on), or false for one unary RPC per call. */
  readonly coalesce?: false | CoalesceOptions;
}

export type RpcMethod = 'GetSettlementDate' | 'BatchGetSettlementDates';

export interface BreakerEvent {
  readonly method: RpcMethod;
  readonly at: number;
}

export interface FallbackEvent {
  readonly method: RpcMethod;
  readonly request: SettlementRequest;
  readonly settlementDate: string;
  readonly errorCode: string;
  readonly reason: string;
  readonly at: number;
}

/**
 * What an alert is about: the service is unusable (answers are provisional), the ledger cannot keep
 * them, an in-process client answers from a version older than `maxStalenessMs` (`stale`), or it
 * refused a version the sidecar sent (`ruleset`: bad hash or signature).
 */
export type AlertKind = 'fallback' | 'ledger' | 'stale' | 'ruleset';

/**
 * kind 'fallback': raised at the first fallback of an incident, then at most once per alertIntervalMs.
 * kind 'ledger': the ledger cannot write (errorCode LEDGER_WRITE_FAILED: at the first failed write of an
 * incident, then at most once per alertIntervalMs while writes keep failing) or has fallen behind
 * (LEDGER_BACKLOG: each time the entries waiting for disk reach the ledger's backlogThreshold).
 */
export interface AlertEvent {
  readonly kind: AlertKind;
  /** The method that fell back (kind 'fallback' only). */
  readonly method?: RpcMethod;
  readonly errorCode: string;
  readonly message: string;
  /** Occurrences since the previous alert of this kind (fallback answers, or failed ledger writes), including this one. */
  readonly fallbacksSinceLastAlert: number;
  readonly incidentStartedAt: number;
  /** Entries recorded in memory and not yet durable on disk (kind 'ledger' only). */
  readonly pendingEntries?: number;
  readonly at: number;
}

export interface CorrectedEvent {
  readonly ledgerId: string;
  readonly request: SettlementRequest;
  readonly provisionalDate: string;
  /** null when the service now refuses the trade (e.g. NO_RULE): see errorCode. */
  readonly serviceDate: string | null;
  readonly errorCode?: string;
  readonly ruleId?: string;
  readonly rulesetVersion?: number;
}

/** In-process mode: a verified version now answers. */
export interface RulesetActivatedEvent {
  readonly version: number;
  readonly hash: string;
  readonly previousVersion: number;
  readonly source: string;
  readonly signatureVerified: boolean;
  readonly at: number;
}

/** In-process mode: a version from the sidecar was refused; the last good one keeps answering. */
export interface RulesetRejectedEvent {
  readonly version: number;
  readonly reason: string;
  readonly message: string;
  readonly keptVersion: number;
  readonly at: number;
}

export interface SettlementClientEvents {
  breakerOpen: BreakerEvent;
  breakerHalfOpen: BreakerEvent;
  breakerClose: BreakerEvent;
  fallback: FallbackEvent;
  alert: AlertEvent;
  corrected: CorrectedEvent;
  rulesetActivated: RulesetActivatedEvent;
  rulesetRejected: RulesetRejectedEvent;
}

export type BreakerState = 'closed' | 'halfOpen' | 'open';

/** Keys an in-process client verifies synced versions with. */
export interface TrustOptions {
  /**
   * The registry's ed25519 public keys (PEM text, or KeyObjects). When given, a version must carry a
   * signature that verifies with one of them: an unsigned (bundled) or wrongly signed version is refused
   * and the last good one keeps answering.
   */
  readonly publicKeys?: readonly (string | Buffer | KeyObject)[];
}

/** `createSettlementClient({ address, mode: 'in-process', ... })`. */
export interface InProcessClientOptions extends SettlementClientOptions {
  readonly mode: 'in-process';
  readonly trust?: TrustOptions;
  /** Answers from a version the sidecar has not confirmed for this long raise a `stale` alert. Default 300,000 ms. */
  readonly maxStalenessMs?: number;
}
