/**
 * Message shapes as @grpc/proto-loader hands them to the server (see SERVER_LOADER_OPTIONS):
 * camelCase, uint64 as number, absent proto3 `optional` fields undefined.
 */

export interface GetSettlementDateRequest {
  readonly tradeDate: string;
  readonly assetClass: string;
  readonly market: string;
  readonly rulesetVersion?: number | undefined;
  readonly allowNonTradingDay?: boolean | undefined;
  readonly correlationId: string;
}

export interface SettlementDecisionMessage {
  readonly settlementDate: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly cycleDays: number;
  readonly calendarId: string;
  readonly rulesetVersion: number;
  readonly rulesetHash: string;
}

export interface ItemErrorMessage {
  readonly code: string;
  readonly message: string;
}

export type BatchResultMessage = { readonly decision: SettlementDecisionMessage } | { readonly error: ItemErrorMessage };

export interface BatchRequest {
  readonly items: readonly GetSettlementDateRequest[];
}

export interface BatchResponse {
  readonly results: readonly BatchResultMessage[];
}

export interface InstrumentKey {
  readonly assetClass: string;
  readonly market: string;
}

export interface ColumnarBatchRequest {
  readonly tradeDates: readonly number[];
  readonly keys: readonly InstrumentKey[];
  readonly keyIndexes: readonly number[];
  readonly rulesetVersion?: number | undefined;
  readonly allowNonTradingDay?: boolean | undefined;
}

export interface ColumnarItemError {
  readonly index: number;
  readonly code: string;
  readonly message: string;
}

export interface ColumnarBatchResponse {
  readonly settlementDates: number[];
  readonly statusCodes: number[];
  readonly rulesetVersion: number;
  readonly rulesetHash: string;
  readonly errors: ColumnarItemError[];
  readonly ruleIds: string[];
  readonly ruleIndexes: number[];
  readonly cycleDays: number[];
}

export type StreamResultMessage =
  | { readonly correlationId: string; readonly decision: SettlementDecisionMessage }
  | { readonly correlationId: string; readonly error: ItemErrorMessage };

export interface ExplainSettlementDateRequest {
  readonly tradeDate: string;
  readonly assetClass: string;
  readonly market: string;
  readonly rulesetVersion?: number | undefined;
  readonly allowNonTradingDay?: boolean | undefined;
}

export interface ListRulesRequest {
  readonly market: string;
  readonly assetClass: string;
  readonly rulesetVersion?: number | undefined;
}

export interface ListHolidaysRequest {
  readonly calendarId: string;
  readonly from: string;
  readonly to: string;
  readonly rulesetVersion?: number | undefined;
}

export interface WatchRulesetRequest {
  readonly knownVersion: number;
  readonly knownSha256: string;
}

export interface ActivatedRulesetMessage {
  readonly rulesetVersion: number;
  readonly sha256: string;
  readonly document: Buffer;
  readonly signature: Buffer;
  readonly keyId: string;
  readonly source: string;
  readonly activatedAt: string;
  readonly parentVersion: number;
  readonly author: string;
  readonly reason: string;
  readonly publishedAt: string;
  readonly rollbackOf: number;
}

export interface RulesetHeartbeatMessage {
  readonly sentAt: string;
  readonly intervalMs: number;
  readonly activeVersion: number;
  readonly followingRegistry: boolean;
  readonly stalenessSeconds: number;
}

export interface RulesetEventMessage {
  readonly ruleset?: ActivatedRulesetMessage;
  readonly heartbeat?: RulesetHeartbeatMessage;
}
