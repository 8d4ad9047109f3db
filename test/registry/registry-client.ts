/** Test support: plain grpc-js calls to a registry, pack files as Publish sends them, a seeded random. */
import { join } from 'node:path';
import { Client, credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { authMetadata, grpcTarget, registryServiceDefinition } from '../../server/src/registry/registry-proto.js';
import type { PackFileMessage, WatchEventMessage } from '../../server/src/registry/registry-wire.js';
export { packFiles } from '../../server/src/registry/pack-files.js';

/** `files` with one more ad-hoc settlement closure of XNYS on `date` in calendars/us.yaml. */
export function withClosure(files: readonly PackFileMessage[], date: string): PackFileMessage[] {
  const anchor = '    adhoc:\n';
  return files.map((f) => {
    if (f.path !== join('calendars', 'us.yaml')) return f;
    const text = f.content.toString('utf8');
    if (!text.includes(anchor)) throw new Error('us.yaml has no adhoc list');
    return {
      path: f.path,
      content: Buffer.from(
        text.replace(anchor, `${anchor}      - { date: ${date}, name: Test closure, closes_settlement: true, reason: "test" }\n`),
      ),
    };
  });
}

/**
 * A registry client. `local: true` gives it a connection of its own (grpc-js shares one per target
 * otherwise), as separate hosts would have.
 */
export function registryClient(address: string, local = false): Client {
  return new Client(grpcTarget(address), credentials.createInsecure(), local ? { 'grpc.use_local_subchannel_pool': 1 } : {});
}

export function unary<T>(client: Client, method: string, request: object, token: string | null, deadlineMs = 20_000): Promise<T> {
  const m = registryServiceDefinition()[method];
  if (!m) throw new Error(method);
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      request,
      authMetadata(token),
      { deadline: Date.now() + deadlineMs },
      (e: ServiceError | null, v?: unknown) => (e ? reject(e) : resolve(v as T)),
    ),
  );
}

export function watch(client: Client, sinceVersion: number, token: string | null): ClientReadableStream<WatchEventMessage> {
  const m = registryServiceDefinition()['Watch'];
  if (!m) throw new Error('Watch');
  return client.makeServerStreamRequest(
    m.path,
    m.requestSerialize,
    m.responseDeserialize,
    { sinceVersion },
    authMetadata(token),
    {},
  ) as ClientReadableStream<WatchEventMessage>;
}

export { seededRandom } from '../support/seeded-random.js';

/** The Wednesday `n` weeks after 2031-01-08 (never a holiday in the bundled US calendars for n < 40). */
export function wednesday(n: number): string {
  return new Date(Date.UTC(2031, 0, 8 + 7 * n)).toISOString().slice(0, 10);
}
