import type { ServerUnaryCall } from '@grpc/grpc-js';

/** The part of a grpc-js server call (unary or stream) that says whether it is still wanted. */
export type ServerSurfaceCall = Pick<ServerUnaryCall<unknown, unknown>, 'cancelled' | 'getDeadline' | 'once' | 'off'>;

/** What a long-running registry handler needs to know about its call: whether to stop. */
export interface CallScope {
  /** Aborted when the caller cancels or its deadline passes (grpc-js then emits 'cancelled'). */
  readonly signal: AbortSignal;
}

/** Thrown by a handler that stopped because its call was cancelled; the adapter audits it, answers nothing. */
export class CallCancelled extends Error {
  override readonly name = 'CallCancelled';
  constructor() {
    super('the call was cancelled or its deadline passed');
  }
}

/** The scope of one server call: aborted on the call's 'cancelled' event (client cancel or deadline). */
export function callScope(call: ServerSurfaceCall): { readonly scope: CallScope; readonly release: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  call.once('cancelled', abort);
  if (call.cancelled) controller.abort();
  return { scope: { signal: controller.signal }, release: () => call.off('cancelled', abort) };
}

/** CANCELLED or DEADLINE_EXCEEDED, whichever ended the call (the deadline when it has passed). */
export function cancelReason(call: ServerSurfaceCall, nowMs: number): 'CANCELLED' | 'DEADLINE_EXCEEDED' {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && nowMs >= at ? 'DEADLINE_EXCEEDED' : 'CANCELLED';
}
