import { status } from '@grpc/grpc-js';
import type { handleServerStreamingCall, handleUnaryCall, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { CallCancelled, callScope, cancelReason, type CallScope } from './call-scope.js';
import { callerName, type Caller, type Role } from './caller-identity.js';
import type { RegistryTokens } from './registry-tokens.js';
import { registryFailureStatus, toRegistryFailure } from './to-registry-status.js';
import type { AuditEntry } from '../index.js';

export interface RegistryHandlerContext {
  readonly tokens: RegistryTokens;
  /** Mutual TLS: a verified client certificate's subject CN may name the identity (calls without a token). */
  readonly certificateIdentities?: boolean;
  readonly audit: (entry: AuditEntry) => void;
  readonly now: () => Date;
  readonly onInternalError: (method: string, err: unknown) => void;
  readonly onAuditFailed: (err: unknown) => void;
  readonly requestDone: (method: string, code: status) => void;
}

export interface MethodSpec<Req, Res> {
  readonly method: string;
  readonly role: Role;
  /** What the call asked for, for the audit row (never a token). */
  readonly describe: (request: Req) => string;
  /** What it did, appended to the audit detail on success. */
  readonly outcome?: (response: Res) => string;
  /** True when the response's audit row was already committed with what it created (a new version). */
  readonly auditedWith?: (response: Res) => boolean;
  /** Refuses the call before authorization, whoever asks (e.g. a write to a relay); audited like any refusal. */
  readonly refuse?: () => void;
}

function auditCall(ctx: RegistryHandlerContext, who: Caller, action: string, detail: string, result: string): void {
  try {
    ctx.audit({ at: ctx.now().toISOString(), who: callerName(who), action, detail, result });
  } catch (err) {
    ctx.onAuditFailed(err);
  }
}

/** What identifying a caller reads of a server call (unary or stream). */
type IdentifiedCall = Pick<ServerUnaryCall<unknown, unknown>, 'metadata' | 'getAuthContext'>;

/** The subject CN of the client's verified certificate, when mutual TLS names identities. */
function certificateName(ctx: RegistryHandlerContext, call: IdentifiedCall): string | null {
  if (ctx.certificateIdentities !== true) return null;
  const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : null;
}

/** Who is calling: the bearer token's identity, or (mutual TLS, no token) the certificate's. */
function identify(ctx: RegistryHandlerContext, call: IdentifiedCall): Caller {
  return ctx.tokens.identify(call.metadata, certificateName(ctx, call));
}

/** Authenticates and authorizes; both outcomes are audited by the caller of this. */
function authorize(ctx: RegistryHandlerContext, call: IdentifiedCall, role: Role): Caller {
  const who = identify(ctx, call);
  ctx.tokens.authorize(who, role);
  return who;
}

/**
 * Every unary registry handler goes through here: authenticate, run `impl` (synchronous, or async for
 * work that yields to the event loop), answer exactly once, audit the attempt (allowed, refused or
 * cancelled) and map errors through the status table. `scope.signal` aborts when the caller cancels or
 * its deadline passes; a call that ended that way is audited as CANCELLED / DEADLINE_EXCEEDED and gets
 * no answer (grpc-js already sent the status).
 */
export function registryUnary<Req, Res>(
  spec: MethodSpec<Req, Res>,
  ctx: RegistryHandlerContext,
  impl: (request: Req, who: Caller, scope: CallScope, detail: string) => Res | Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let who: Caller = 'anonymous';
    let detail = '';
    let answered = false;
    const { scope, release } = callScope(call);
    const cancelled = (): void => {
      const reason = cancelReason(call, ctx.now().getTime());
      auditCall(ctx, who, spec.method, detail, reason);
      ctx.requestDone(spec.method, status[reason]);
    };
    const succeed = (response: Res): void => {
      if (answered) return;
      answered = true;
      release();
      if (call.cancelled) return cancelled();
      if (spec.auditedWith?.(response) !== true)
        auditCall(ctx, who, spec.method, spec.outcome ? `${detail}; ${spec.outcome(response)}` : detail, 'ok');
      ctx.requestDone(spec.method, status.OK);
      callback(null, response);
    };
    const fail = (err: unknown): void => {
      if (answered) return;
      answered = true;
      release();
      if (call.cancelled || err instanceof CallCancelled) return cancelled();
      const failure = toRegistryFailure(err);
      if (!failure.expected) ctx.onInternalError(spec.method, err);
      auditCall(ctx, who, spec.method, detail, failure.reason);
      ctx.requestDone(spec.method, failure.code);
      callback(registryFailureStatus(failure));
    };
    let result: Res | Promise<Res>;
    try {
      detail = spec.describe(call.request);
      who = identify(ctx, call);
      spec.refuse?.();
      ctx.tokens.authorize(who, spec.role);
      result = impl(call.request, who, scope, detail);
    } catch (err) {
      fail(err);
      return;
    }
    if (result instanceof Promise) result.then(succeed, fail);
    else succeed(result);
  };
}

/** The same for server streams: `impl` resolves when the stream is done. */
export function registryStream<Req, Res>(
  spec: MethodSpec<Req, never>,
  ctx: RegistryHandlerContext,
  impl: (call: ServerWritableStream<Req, Res>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    let who: Caller = 'anonymous';
    let detail = '';
    const fail = (err: unknown): void => {
      const failure = toRegistryFailure(err);
      if (!failure.expected) ctx.onInternalError(spec.method, err);
      ctx.requestDone(spec.method, failure.code);
      if (!call.cancelled) call.emit('error', registryFailureStatus(failure));
    };
    try {
      detail = spec.describe(call.request);
      who = authorize(ctx, call, spec.role);
    } catch (err) {
      auditCall(ctx, who === 'anonymous' ? identify(ctx, call) : who, spec.method, detail, toRegistryFailure(err).reason);
      fail(err);
      return;
    }
    auditCall(ctx, who, spec.method, detail, 'ok');
    let running: Promise<void>;
    try {
      running = impl(call);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(() => ctx.requestDone(spec.method, call.cancelled ? status.CANCELLED : status.OK), fail);
  };
}
