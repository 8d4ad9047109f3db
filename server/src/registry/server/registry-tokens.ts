import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { RegistryError } from './registry-error.js';

export type Role = 'publish' | 'read';
export const ROLES: readonly Role[] = ['publish', 'read'];

/** The caller as audited: a role, "anonymous" (no token) or "invalid" (an unknown token). Never the token. */
export type Caller = Role | 'anonymous' | 'invalid';

interface TokenDigest {
  readonly role: Role;
  readonly digest: Buffer;
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Parses a tokens file: lines `ROLE TOKEN` (roles publish, read); blank lines and `#` comments are
 * skipped. Throws an Error naming the line (never its token) when a line is malformed.
 */
export function parseTokens(text: string, file: string): RegistryTokens {
  const tokens: TokenDigest[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    const role = parts[0] as Role;
    if (parts.length !== 2 || !ROLES.includes(role) || (parts[1] ?? '').length < 8) {
      throw new Error(`${file}:${i + 1}: expected "ROLE TOKEN" with ROLE publish or read and a token of at least 8 characters`);
    }
    tokens.push({ role, digest: digest(parts[1] as string) });
  });
  return new RegistryTokens(tokens);
}

/** Bearer-token authentication, compared in constant time over equal-length sha256 digests. */
export class RegistryTokens {
  constructor(private readonly tokens: readonly TokenDigest[]) {}

  /** Read calls are open when no read token is configured. */
  get readRequiresToken(): boolean {
    return this.tokens.some((t) => t.role === 'read');
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Who presented `metadata`'s bearer token. Every token is compared (no early exit). */
  identify(metadata: Metadata): Caller {
    const header = metadata.get('authorization')[0];
    if (header === undefined) return 'anonymous';
    const text = Buffer.isBuffer(header) ? header.toString('utf8') : header;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(text);
    if (!m) return 'invalid';
    const presented = digest(m[1] as string);
    let found: Role | null = null;
    for (const t of this.tokens) {
      if (timingSafeEqual(t.digest, presented) && found === null) found = t.role;
    }
    return found ?? 'invalid';
  }

  /** Throws UNAUTHENTICATED / PERMISSION_DENIED unless `caller` may act in `role`. A publish token may also read. */
  authorize(caller: Caller, role: Role): void {
    if (role === 'read' && !this.readRequiresToken && caller !== 'invalid') return;
    if (caller === 'anonymous')
      throw new RegistryError('UNAUTHENTICATED', `this call needs a ${role} token (metadata "authorization: Bearer TOKEN")`);
    if (caller === 'invalid') throw new RegistryError('UNAUTHENTICATED', 'the bearer token is not valid');
    if (caller !== role && !(role === 'read' && caller === 'publish')) {
      throw new RegistryError('PERMISSION_DENIED', `a ${caller} token may not do this; it needs a ${role} token`, {
        needed: role,
        role: caller,
      });
    }
  }
}
