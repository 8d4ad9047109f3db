import { Metadata, status } from '@grpc/grpc-js';
import type {
  handleBidiStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerDuplexStream,
  ServerWritableStream,
  StatusObject,
} from '@grpc/grpc-js';
import { MALFORMED_REQUEST, malformedRequestError } from './malformed-request.js';
import type { RequestObserver } from './request-observer.js';
import { encodeStatusDetails, ERROR_DOMAIN } from './status-details.js';
import { toGrpcStatus, type GrpcFailure } from './to-grpc-status.js';

/** Trailing metadata key holding the domain error code (e.g. NO_RULE) of a failed call. */
export const ERROR_REASON_KEY = 'tplus-error-reason';
/** The standard key for a serialized google.rpc.Status (here with one google.rpc.ErrorInfo). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

export interface AdapterContext {
  readonly observer: RequestObserver;
  /** Called with anything unexpected a handler threw; the caller only sees INTERNAL. */
  readonly onInternalError: (method: string, err: unknown) => void;
}

export interface MethodOptions {
  /** Count a failed call in tplus_decision_errors_total (methods that make decisions). */
  readonly decides: boolean;
}

/** The status object sent for a failure: code, message, reason key and ErrorInfo details. */
export function failureStatus(failure: GrpcFailure): Partial<StatusObject> {
  const metadata = new Metadata();
  metadata.set(ERROR_REASON_KEY, failure.reason);
  metadata.set(
    STATUS_DETAILS_KEY,
    encodeStatusDetails(failure.code, failure.message, { reason: failure.reason, domain: ERROR_DOMAIN, metadata: failure.details }),
  );
  return { code: failure.code, details: failure.message, metadata };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function classify(method: string, options: MethodOptions, ctx: AdapterContext, err: unknown): GrpcFailure {
  const failure = toGrpcStatus(err);
  if (!failure.expected) ctx.onInternalError(method, err);
  if (options.decides) ctx.observer.decisionErrors(failure.reason, 1);
  return failure;
}

/**
 * Every unary handler goes through here: runs `impl` (sync or async), catches whatever it throws or
 * rejects with, answers exactly once, and reports one request to the observer.
 */
export function unaryHandler<Req, Res>(
  method: string,
  options: MethodOptions,
  ctx: AdapterContext,
  impl: (request: Req) => Res | PromiseLike<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    const fail = (err: unknown): void => {
      const failure = classify(method, options, ctx, err);
      ctx.observer.requestDone(method, failure.code, (performance.now() - started) / 1000);
      callback(failureStatus(failure));
    };
    const succeed = (response: Res): void => {
      ctx.observer.requestDone(method, status.OK, (performance.now() - started) / 1000);
      callback(null, response);
    };
    let result: Res | PromiseLike<Res>;
    try {
      if (call.request === MALFORMED_REQUEST) throw malformedRequestError(method);
      result = impl(call.request);
    } catch (err) {
      fail(err);
      return;
    }
    if (isPromiseLike(result)) result.then(succeed, fail);
    else succeed(result);
  };
}

/** The same for bidirectional streams: `impl` resolves when the stream is done; a rejection ends it with a status. */
export function bidiHandler<Req, Res>(
  method: string,
  options: MethodOptions,
  ctx: AdapterContext,
  impl: (call: ServerDuplexStream<Req, Res>) => Promise<void>,
): handleBidiStreamingCall<Req, Res> {
  return (call) => {
    const started = performance.now();
    const finished = (code: status): void => ctx.observer.requestDone(method, code, (performance.now() - started) / 1000);
    let running: Promise<void>;
    try {
      running = impl(call);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      () => finished(call.cancelled ? status.CANCELLED : status.OK),
      (err: unknown) => {
        const failure = classify(method, options, ctx, err);
        finished(call.cancelled ? status.CANCELLED : failure.code);
        if (!call.cancelled) call.emit('error', failureStatus(failure));
      },
    );
  };
}

/**
 * Server streams: `impl` resolves when the stream is done, with nothing (OK) or with a failure of its
 * own choosing that ends the stream (e.g. RESOURCE_EXHAUSTED for a client that stopped reading); a
 * rejection is classified like any handler error.
 */
export function serverStreamHandler<Req, Res>(
  method: string,
  ctx: AdapterContext,
  impl: (call: ServerWritableStream<Req, Res>) => Promise<GrpcFailure | void>,
): handleServerStreamingCall<Req, Res> {
  const options: MethodOptions = { decides: false };
  return (call) => {
    const started = performance.now();
    const finished = (code: status): void => ctx.observer.requestDone(method, code, (performance.now() - started) / 1000);
    const end = (failure: GrpcFailure): void => {
      finished(call.cancelled ? status.CANCELLED : failure.code);
      if (!call.cancelled) call.emit('error', failureStatus(failure));
    };
    let running: Promise<GrpcFailure | void>;
    try {
      if (call.request === MALFORMED_REQUEST) throw malformedRequestError(method);
      running = impl(call);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (failure) => (failure ? end(failure) : finished(call.cancelled ? status.CANCELLED : status.OK)),
      (err: unknown) => end(classify(method, options, ctx, err)),
    );
  };
}
