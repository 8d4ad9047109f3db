import { readFileSync } from 'node:fs';
import { status, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { clientCredentials, clientTlsConfig } from '../index.js';
import { authMetadata, createRegistryClient, registryServiceDefinition, rolloutServiceDefinition } from '../index.js';
import { ERROR_REASON_KEY } from '../../rpc/index.js';
import { ConfigError } from '../../runtime/index.js';
import { UsageError } from '../../runtime/index.js';

/** A registry call that failed: printed as one line (exit 1). Tokens never appear in it. */
export class RegistryCallError extends Error {
  override readonly name = 'RegistryCallError';
}

/** The token on the first line of `file` (null without a file). */
export function readTokenFile(file: string | undefined): string | null {
  if (file === undefined) return null;
  const token = readFileSync(file, 'utf8').split(/\r?\n/)[0]?.trim() ?? '';
  if (token === '') throw new RegistryCallError(`${file} holds no token on its first line`);
  return token;
}

/** The CLI's TLS flags (each also read from TPLUS_TLS_CA, TPLUS_TLS_CLIENT_CERT, TPLUS_TLS_CLIENT_KEY). */
export const TLS_FLAGS = {
  'tls-ca': { type: 'string' },
  'tls-client-cert': { type: 'string' },
  'tls-client-key': { type: 'string' },
} as const;

/**
 * Channel credentials of a CLI command from --tls-ca / --tls-client-cert / --tls-client-key (`setting`
 * gives a flag's value, else its TPLUS_* variable): plaintext when none is given. A certificate without
 * its key is a usage error; an unreadable file a RegistryCallError naming the flag.
 */
export function cliCredentials(setting: (flag: keyof typeof TLS_FLAGS) => string | undefined, command: string): ChannelCredentials {
  let tls;
  try {
    tls = clientTlsConfig({ ca: setting('tls-ca'), cert: setting('tls-client-cert'), key: setting('tls-client-key') }, '--', process.cwd());
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
  try {
    return clientCredentials(tls);
  } catch (e) {
    throw new RegistryCallError(e instanceof Error ? e.message : String(e));
  }
}

/** One unary RegistryService call with a deadline; failures become RegistryCallError naming status and reason. */
export async function callRegistry<Res>(
  address: string,
  token: string | null,
  method: string,
  request: object,
  deadlineMs = 60_000,
  creds: ChannelCredentials = clientCredentials(null),
): Promise<Res> {
  const m = registryServiceDefinition()[method] ?? rolloutServiceDefinition()[method];
  if (!m) throw new Error(`neither RegistryService nor RolloutService has a method ${method}`);
  const client: Client = createRegistryClient(address, creds);
  try {
    return await new Promise<Res>((resolve, reject) => {
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        authMetadata(token),
        { deadline: Date.now() + deadlineMs },
        (err: ServiceError | null, value?: unknown) => {
          if (!err) {
            resolve(value as Res);
            return;
          }
          const reason = err.metadata?.get(ERROR_REASON_KEY)[0];
          const code = status[err.code] ?? String(err.code);
          const why = reason === undefined || String(reason) === code ? code : `${code} (${String(reason)})`;
          reject(new RegistryCallError(`${method} at ${address} failed: ${why}: ${err.details}`));
        },
      );
    });
  } finally {
    client.close();
  }
}
