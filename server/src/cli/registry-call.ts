import { readFileSync } from 'node:fs';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { authMetadata, createRegistryClient, registryServiceDefinition } from '../registry/registry-proto.js';
import { ERROR_REASON_KEY } from '../grpc/handler-adapter.js';

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

/** One unary RegistryService call with a deadline; failures become RegistryCallError naming status and reason. */
export async function callRegistry<Res>(address: string, token: string | null, method: string, request: object, deadlineMs = 60_000): Promise<Res> {
  const m = registryServiceDefinition()[method];
  if (!m) throw new Error(`RegistryService has no method ${method}`);
  const client: Client = createRegistryClient(address);
  try {
    return await new Promise<Res>((resolve, reject) => {
      client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, authMetadata(token), { deadline: Date.now() + deadlineMs }, (err: ServiceError | null, value?: unknown) => {
        if (!err) {
          resolve(value as Res);
          return;
        }
        const reason = err.metadata?.get(ERROR_REASON_KEY)[0];
        const code = status[err.code] ?? String(err.code);
        const why = reason === undefined || String(reason) === code ? code : `${code} (${String(reason)})`;
        reject(new RegistryCallError(`${method} at ${address} failed: ${why}: ${err.details}`));
      });
    });
  } finally {
    client.close();
  }
}
