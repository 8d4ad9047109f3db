import { status, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_ROOT, SERVER_LOADER_OPTIONS } from '../rpc/settlement-proto.js';
import { DrillRequestError, type DrillControl, type DrillStateView } from './drill-control.js';

export const DRILL_PROTO_FILE = 'tplus/drill/v1/drill.proto';
export const DRILL_SERVICE_NAME = 'tplus.drill.v1.DrillService';

let cached: ServiceDefinition | null = null;

/** The DrillService definition (camelCase fields, uint32 as number). */
export function drillServiceDefinition(): ServiceDefinition {
  cached ??= loadSync(DRILL_PROTO_FILE, { ...SERVER_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] })[DRILL_SERVICE_NAME] as ServiceDefinition;
  return cached;
}

type Callback = (err: { code: number; details: string } | null, value?: DrillStateView) => void;

/** Handlers for DrillService; a request out of bounds is INVALID_ARGUMENT. Synchronous, so nothing can reject unhandled. */
export function drillService(control: DrillControl): UntypedServiceImplementation {
  const answer = (run: () => DrillStateView, callback: Callback): void => {
    try {
      callback(null, run());
    } catch (err) {
      if (err instanceof DrillRequestError) callback({ code: status.INVALID_ARGUMENT, details: err.message });
      else callback({ code: status.INTERNAL, details: 'drill control failed' });
    }
  };
  return {
    InjectLatency: (call: { request: { latencyMs: number; durationMs: number } }, callback: Callback) =>
      answer(() => control.injectLatency(call.request.latencyMs, call.request.durationMs), callback),
    ClearDrills: (_call: unknown, callback: Callback) => answer(() => control.clear(), callback),
    GetDrillState: (_call: unknown, callback: Callback) => answer(() => control.state(), callback),
  };
}
