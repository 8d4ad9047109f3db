import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { IDENTITY_NAME, ROLES, type Caller, type CallerIdentity, type Role } from './caller-identity.js';
import { RegistryError } from './registry-error.js';

export { ROLES, type Caller, type CallerIdentity, type Role } from './caller-identity.js';

interface TokenDigest {
  readonly identity: CallerIdentity;
  /** Null for a `-` line: the identity authenticates by client certificate only. */
  readonly digest: Buffer | null;
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();
const USAGE = 'expected "ROLE NAME TOKEN" (or the old "ROLE TOKEN")';

function parseRoles(text: string): { roles: Role[] } | { problem: string } {
  const roles: Role[] = [];
  for (const r of text.split(',')) {
    if (!ROLES.includes(r as Role)) return { problem: `unknown role "${r}" (roles: ${ROLES.join(', ')}; several as publish,approve)` };
    if (!roles.includes(r as Role)) roles.push(r as Role);
  }
  return { roles };
}

/**
 * Parses a tokens file: lines `ROLE NAME TOKEN` (ROLE one of publish, approve, read, or several joined
 * by commas; NAME the identity; TOKEN at least 8 characters, or `-` for an identity that authenticates
 * only by its client certificate's CN under mutual TLS). The old form `ROLE TOKEN` names the identity
 * after its role. Blank lines and `#` comments are skipped. A malformed file is rejected whole: the
 * Error lists every problem as FILE:LINE (never a token).
 */
export function parseTokens(text: string, file: string): RegistryTokens {
  const tokens: TokenDigest[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = `${file}:${i + 1}`;
    const parts = line.split(/\s+/);
    if (parts.length < 2 || parts.length > 3) return void problems.push(`${at}: ${USAGE}, got ${parts.length} field(s)`);
    const roles = parseRoles(parts[0] as string);
    if ('problem' in roles) return void problems.push(`${at}: ${roles.problem}`);
    const name = parts.length === 3 ? (parts[1] as string) : (parts[0] as string);
    const token = parts[parts.length - 1] as string;
    if (!IDENTITY_NAME.test(name)) return void problems.push(`${at}: name ${JSON.stringify(name)} must be 1-64 letters, digits or . _ @ -`);
    if (token === '-' && parts.length === 3) return void tokens.push({ identity: { name, roles: roles.roles }, digest: null });
    if (token.length < 8) return void problems.push(`${at}: ${USAGE} with a token of at least 8 characters`);
    const first = seen.get(token);
    if (first !== undefined) return void problems.push(`${at}: the same token as line ${first}: each identity needs its own`);
    seen.set(token, i + 1);
    tokens.push({ identity: { name, roles: roles.roles }, digest: digest(token) });
  });
  if (problems.length > 0) throw new Error([`${file} has ${problems.length} problem(s); no token was loaded:`, ...problems].join('\n'));
  return new RegistryTokens(tokens);
}

/** Bearer-token (and client-certificate) authentication; tokens compared in constant time over sha256 digests. */
export class RegistryTokens {
  constructor(private readonly tokens: readonly TokenDigest[]) {}

  /** Read calls are open when no read token is configured. */
  get readRequiresToken(): boolean {
    return this.tokens.some((t) => t.identity.roles.includes('read'));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Every configured identity, in file order (one per line). */
  identities(): CallerIdentity[] {
    return this.tokens.map((t) => t.identity);
  }

  /**
   * Who presented `metadata`'s bearer token. Every token is compared (no early exit). Without a token,
   * `certificateName` (the verified client certificate's CN, under mutual TLS) names the identity when
   * the file lists that name; its roles are those of every line with that name.
   */
  identify(metadata: Metadata, certificateName: string | null = null): Caller {
    const header = metadata.get('authorization')[0];
    if (header === undefined) return certificateName === null ? 'anonymous' : this.byCertificate(certificateName);
    const text = Buffer.isBuffer(header) ? header.toString('utf8') : header;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(text);
    if (!m) return 'invalid';
    const presented = digest(m[1] as string);
    let found: CallerIdentity | null = null;
    for (const t of this.tokens) {
      if (t.digest !== null && timingSafeEqual(t.digest, presented) && found === null) found = t.identity;
    }
    return found ?? 'invalid';
  }

  private byCertificate(name: string): Caller {
    const lines = this.tokens.filter((t) => t.identity.name === name);
    if (lines.length === 0) return 'anonymous';
    return { name, roles: ROLES.filter((r) => lines.some((t) => t.identity.roles.includes(r))) };
  }

  /** Throws UNAUTHENTICATED / PERMISSION_DENIED unless `caller` may act in `role`. Any identity may read. */
  authorize(caller: Caller, role: Role): void {
    if (role === 'read' && !this.readRequiresToken && caller !== 'invalid') return;
    if (caller === 'anonymous')
      throw new RegistryError('UNAUTHENTICATED', `this call needs a ${role} token (metadata "authorization: Bearer TOKEN")`);
    if (caller === 'invalid') throw new RegistryError('UNAUTHENTICATED', 'the bearer token is not valid');
    if (role !== 'read' && !caller.roles.includes(role)) {
      throw new RegistryError(
        'PERMISSION_DENIED',
        `${caller.name} (${caller.roles.join(',')}) may not do this; it needs the ${role} role`,
        {
          needed: role,
          role: caller.roles.join(','),
          who: caller.name,
        },
      );
    }
  }
}
