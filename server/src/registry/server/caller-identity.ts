/** What a registry identity may do: publish (and roll back), approve someone else's pending version, read. */
export type Role = 'publish' | 'approve' | 'read';
export const ROLES: readonly Role[] = ['publish', 'approve', 'read'];

/**
 * An authenticated caller: the name its bearer token (or, with mutual TLS, its client certificate's
 * subject CN) was issued to, and the roles it holds. The name is what versions are signed and audited
 * with; a name a client merely sends (PublishRequest.author) is never trusted.
 */
export interface CallerIdentity {
  readonly name: string;
  readonly roles: readonly Role[];
}

/** The caller as audited: an identity, "anonymous" (no credential) or "invalid" (an unknown token). Never the token. */
export type Caller = CallerIdentity | 'anonymous' | 'invalid';

/** The audit row's `who`: the identity's name, or "anonymous" / "invalid". */
export function callerName(caller: Caller): string {
  return typeof caller === 'string' ? caller : caller.name;
}

/** An identity name: letters, digits and . _ @ - (what a user or service account name is), at most 64. */
export const IDENTITY_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
