/**
 * RolloutService messages, generated from proto/tplus/registry/v1/rollout.proto by `npm run build`,
 * named as the registry, the CLI and followers use them.
 */
export type { AbortRequest__Output as AbortRequestMessage } from '../rpc/generated/tplus/registry/v1/AbortRequest.js';
export type { AbortResponse__Output as AbortResponseMessage } from '../rpc/generated/tplus/registry/v1/AbortResponse.js';
export type { FleetMember__Output as FleetMemberMessage } from '../rpc/generated/tplus/registry/v1/FleetMember.js';
export type { FollowRolloutRequest__Output as FollowRolloutRequestMessage } from '../rpc/generated/tplus/registry/v1/FollowRolloutRequest.js';
export type { FollowRolloutResponse__Output as FollowRolloutResponseMessage } from '../rpc/generated/tplus/registry/v1/FollowRolloutResponse.js';
export type { GetShadowReportRequest__Output as GetShadowReportRequestMessage } from '../rpc/generated/tplus/registry/v1/GetShadowReportRequest.js';
export type { GetShadowReportResponse__Output as GetShadowReportResponseMessage } from '../rpc/generated/tplus/registry/v1/GetShadowReportResponse.js';
export type { ListFleetRequest__Output as ListFleetRequestMessage } from '../rpc/generated/tplus/registry/v1/ListFleetRequest.js';
export type { ListFleetResponse__Output as ListFleetResponseMessage } from '../rpc/generated/tplus/registry/v1/ListFleetResponse.js';
export type { PromoteRequest__Output as PromoteRequestMessage } from '../rpc/generated/tplus/registry/v1/PromoteRequest.js';
export type { PromoteResponse__Output as PromoteResponseMessage } from '../rpc/generated/tplus/registry/v1/PromoteResponse.js';
export type { PublishCandidateRequest__Output as PublishCandidateRequestMessage } from '../rpc/generated/tplus/registry/v1/PublishCandidateRequest.js';
export type { PublishCandidateResponse__Output as PublishCandidateResponseMessage } from '../rpc/generated/tplus/registry/v1/PublishCandidateResponse.js';
export type { ReportStateRequest__Output as ReportStateRequestMessage } from '../rpc/generated/tplus/registry/v1/ReportStateRequest.js';
export type { ReportStateResponse__Output as ReportStateResponseMessage } from '../rpc/generated/tplus/registry/v1/ReportStateResponse.js';
export type { RolloutServiceHandlers } from '../rpc/generated/tplus/registry/v1/RolloutService.js';
export type { RolloutState__Output as RolloutStateMessage } from '../rpc/generated/tplus/registry/v1/RolloutState.js';
export type { ShadowCount__Output as ShadowCountMessage } from '../rpc/generated/tplus/registry/v1/ShadowCount.js';
export type { ShadowSample__Output as ShadowSampleMessage } from '../rpc/generated/tplus/registry/v1/ShadowSample.js';
export type { ShadowTotals__Output as ShadowTotalsMessage } from '../rpc/generated/tplus/registry/v1/ShadowTotals.js';
export type { StartRolloutRequest__Output as StartRolloutRequestMessage } from '../rpc/generated/tplus/registry/v1/StartRolloutRequest.js';
export type { StartRolloutResponse__Output as StartRolloutResponseMessage } from '../rpc/generated/tplus/registry/v1/StartRolloutResponse.js';
