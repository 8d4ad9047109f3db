/**
 * SettlementService messages, generated from proto/tplus/settlement/v1/settlement.proto by
 * `npm run build` (scripts/generate-proto-types.mjs, the loader options of SERVER_LOADER_OPTIONS):
 * camelCase, uint64 as number, absent proto3 `optional` fields undefined. Named here as the server
 * uses them; the `__Output` shapes are complete (every field present), so a message the server builds
 * must set every field the proto has, and a proto change fails the compile.
 */
export type { GetSettlementDateRequest__Output as GetSettlementDateRequest } from '../rpc/generated/tplus/settlement/v1/GetSettlementDateRequest.js';
export type { SettlementDecision__Output as SettlementDecisionMessage } from '../rpc/generated/tplus/settlement/v1/SettlementDecision.js';
export type { ItemError__Output as ItemErrorMessage } from '../rpc/generated/tplus/settlement/v1/ItemError.js';
export type { BatchResult__Output as BatchResultMessage } from '../rpc/generated/tplus/settlement/v1/BatchResult.js';
export type { BatchRequest__Output as BatchRequest } from '../rpc/generated/tplus/settlement/v1/BatchRequest.js';
export type { BatchResponse__Output as BatchResponse } from '../rpc/generated/tplus/settlement/v1/BatchResponse.js';
export type { InstrumentKey__Output as InstrumentKey } from '../rpc/generated/tplus/settlement/v1/InstrumentKey.js';
export type { ColumnarBatchRequest__Output as ColumnarBatchRequest } from '../rpc/generated/tplus/settlement/v1/ColumnarBatchRequest.js';
export type { ColumnarItemError__Output as ColumnarItemError } from '../rpc/generated/tplus/settlement/v1/ColumnarItemError.js';
export type { ColumnarBatchResponse__Output as ColumnarBatchResponse } from '../rpc/generated/tplus/settlement/v1/ColumnarBatchResponse.js';
export type { StreamResult__Output as StreamResultMessage } from '../rpc/generated/tplus/settlement/v1/StreamResult.js';
export type { ExplainSettlementDateRequest__Output as ExplainSettlementDateRequest } from '../rpc/generated/tplus/settlement/v1/ExplainSettlementDateRequest.js';
export type { ExplainSettlementDateResponse__Output as ExplainSettlementDateResponse } from '../rpc/generated/tplus/settlement/v1/ExplainSettlementDateResponse.js';
export type { NoRuleDetail__Output as NoRuleDetailMessage } from '../rpc/generated/tplus/settlement/v1/NoRuleDetail.js';
export type { GetRulesetInfoRequest__Output as GetRulesetInfoRequest } from '../rpc/generated/tplus/settlement/v1/GetRulesetInfoRequest.js';
export type { RulesetInfo__Output as RulesetInfoMessage } from '../rpc/generated/tplus/settlement/v1/RulesetInfo.js';
export type { ListRulesRequest__Output as ListRulesRequest } from '../rpc/generated/tplus/settlement/v1/ListRulesRequest.js';
export type { RuleInfo__Output as RuleInfoMessage } from '../rpc/generated/tplus/settlement/v1/RuleInfo.js';
export type { ListRulesResponse__Output as ListRulesResponse } from '../rpc/generated/tplus/settlement/v1/ListRulesResponse.js';
export type { ListHolidaysRequest__Output as ListHolidaysRequest } from '../rpc/generated/tplus/settlement/v1/ListHolidaysRequest.js';
export type { ListHolidaysResponse__Output as ListHolidaysResponse } from '../rpc/generated/tplus/settlement/v1/ListHolidaysResponse.js';
export type { WatchRulesetRequest__Output as WatchRulesetRequest } from '../rpc/generated/tplus/settlement/v1/WatchRulesetRequest.js';
export type { ActivatedRuleset__Output as ActivatedRulesetMessage } from '../rpc/generated/tplus/settlement/v1/ActivatedRuleset.js';
export type { RulesetHeartbeat__Output as RulesetHeartbeatMessage } from '../rpc/generated/tplus/settlement/v1/RulesetHeartbeat.js';
export type { RulesetEvent__Output as RulesetEventMessage } from '../rpc/generated/tplus/settlement/v1/RulesetEvent.js';
export type { SettlementServiceHandlers } from '../rpc/generated/tplus/settlement/v1/SettlementService.js';
