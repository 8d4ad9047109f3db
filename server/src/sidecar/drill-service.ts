import { status, type sendUnaryData, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_ROOT, SERVER_LOADER_OPTIONS } from '../rpc/index.js';
import type { DrillServiceHandlers } from '../rpc/generated/tplus/drill/v1/DrillService.js';
import type { DrillState } from '../rpc/generated/tplus/drill/v1/DrillState.js';
import { DrillRequestError, type DrillControl, type DrillStateView } from './drill-control.js';

export const DRILL_PROTO_FILE = 'tplus/drill/v1/drill.proto';
export const DRILL_SERVICE_NAME = 'tplus.drill.v1.DrillService';

let cached: ServiceDefinition | null = null;

/** The DrillService definition (camelCase fields, uint32 as number). */
export function drillServiceDefinition(): ServiceDefinition {
  cached ??= loadSync(DRILL_PROTO_FILE, { ...SERVER_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] })[DRILL_SERVICE_NAME] as ServiceDefinition;
  return cached;
}

/** Handlers for DrillService; a request out of bounds is INVALID_ARGUMENT. Synchronous, so nothing can reject unhandled. */
export function drillService(control: DrillControl): DrillServiceHandlers {
  const answer = (run: () => DrillStateView, callback: sendUnaryData<DrillState>): void => {
    try {
      callback(null, run());
    } catch (err) {
      if (err instanceof DrillRequestError) callback({ code: status.INVALID_ARGUMENT, details: err.message });
      else callback({ code: status.INTERNAL, details: 'drill control failed' });
    }
  };
  return {
    InjectLatency: (call, callback) => answer(() => control.injectLatency(call.request.latencyMs, call.request.durationMs), callback),
    ClearDrills: (_call, callback) => answer(() => control.clear(), callback),
    GetDrillState: (_call, callback) => answer(() => control.state(), callback),
  };
}
