// The public surface of server/src/rpc: what other folders may import (a lint rule keeps them from reaching past it).
export {
  ERROR_REASON_KEY,
  STATUS_DETAILS_KEY,
  bidiHandler,
  serverStreamHandler,
  unaryHandler,
  type AdapterContext,
} from './handler-adapter.js';
export { MALFORMED_REQUEST, malformedRequestError, tolerantDecoding } from './malformed-request.js';
export { type RequestObserver } from './request-observer.js';
export { PROTO_ROOT, SERVER_LOADER_OPTIONS, SETTLEMENT_SERVICE_NAME, loadSettlementPackage } from './settlement-proto.js';
export { encodeStatusDetails } from './status-details.js';
export { INTERNAL_MESSAGE, INTERNAL_REASON, grpcStatusOf, wellFormed, type GrpcFailure } from './to-grpc-status.js';
