// The public surface of @tplus/client-sdk. Everything under internal/ is private.
export { createSettlementClient } from './settlement-client.js';
export type { SettlementClient, InProcessSettlementClient, BatchItemResult, ReconcileSummary } from './settlement-client.js';
export { SettlementError, Status, CALLER_ERROR_CODES } from './settlement-error.js';
export { InMemoryLedger } from './provisional-ledger.js';
export type { ProvisionalLedger, ProvisionalEntry, EntryStatus, Resolution } from './provisional-ledger.js';
export { JsonlFileLedger } from './jsonl-file-ledger.js';
export type { JsonlFileLedgerOptions } from './jsonl-file-ledger.js';
export { LedgerError } from './ledger-error.js';
export type { LedgerErrorCode } from './ledger-error.js';
export type { LedgerEvent, TornTail, WatchableLedger } from './ledger-events.js';
export { createShadow } from './shadow.js';
export type { Shadow, ShadowOptions, ShadowSummary, Disagreement } from './shadow.js';
export type { MetricsRegistry } from './internal/metric-family.js';
export type {
  SettlementRequest,
  SettlementTypeName,
  SettlementDetails,
  AnswerSource,
  CallOptions,
  FallbackOptions,
  BreakerOptions,
  TlsOptions,
  SettlementClientOptions,
  InProcessClientOptions,
  TrustOptions,
  CoalesceOptions,
  ReadyOptions,
  RpcMethod,
  BreakerState,
  BreakerEvent,
  FallbackEvent,
  AlertEvent,
  AlertKind,
  CorrectedEvent,
  RulesetActivatedEvent,
  RulesetRejectedEvent,
  SettlementClientEvents,
} from './types.js';
