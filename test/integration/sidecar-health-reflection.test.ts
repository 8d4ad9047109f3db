import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client, credentials, Metadata, type ClientReadableStream, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSidecar, type Message, type TestSidecar } from './sidecar-harness.js';

const SERVICE_NAME = 'tplus.settlement.v1.SettlementService';
const health = loadSync(healthProtoPath, { enums: String, defaults: true })['grpc.health.v1.Health'] as ServiceDefinition;
const reflectionProto = join(
  dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')),
  'build/proto/grpc/reflection/v1/reflection.proto',
);
const reflection = loadSync(reflectionProto, { keepCase: false, defaults: true, oneofs: true })[
  'grpc.reflection.v1.ServerReflection'
] as ServiceDefinition;

function check(client: Client, service: string): Promise<string> {
  const m = health['Check'] as ServiceDefinition[string];
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      { service },
      new Metadata(),
      { deadline: Date.now() + 5_000 },
      (err, res) => (err ? reject(err) : resolve((res as Message)['status'] as string)),
    ),
  );
}

function reflect(client: Client, request: object): Promise<Message> {
  const m = reflection['ServerReflectionInfo'] as ServiceDefinition[string];
  const stream = client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new Metadata(), {
    deadline: Date.now() + 5_000,
  });
  return new Promise((resolve, reject) => {
    stream.once('data', (res: Message) => {
      resolve(res);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

describe.each(['tcp', 'unix'] as const)('health and reflection over %s', (transport) => {
  let sidecar: TestSidecar;
  let client: Client;
  beforeAll(async () => {
    sidecar = await startTestSidecar();
    client = new Client(sidecar.addresses[transport], credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await sidecar.stop();
  });

  it('reports SERVING for the server and for SettlementService', async () => {
    expect(await check(client, '')).toBe('SERVING');
    expect(await check(client, SERVICE_NAME)).toBe('SERVING');
  });

  it('lists SettlementService and health through server reflection', async () => {
    const res = await reflect(client, { listServices: '*' });
    const names = ((res['listServicesResponse'] as Message)['service'] as Message[]).map((s) => s['name']);
    expect(names).toEqual(expect.arrayContaining([SERVICE_NAME, 'grpc.health.v1.Health']));
  });

  it('serves the file descriptor of the settlement contract by symbol', async () => {
    const res = await reflect(client, { fileContainingSymbol: `${SERVICE_NAME}.GetSettlementDate` });
    const files = (res['fileDescriptorResponse'] as Message)['fileDescriptorProto'] as Buffer[];
    const text = Buffer.concat(files).toString('latin1');
    expect(text).toContain('tplus.settlement.v1');
    expect(text).toContain('GetSettlementDateRequest');
  });
});

describe('health during shutdown', () => {
  let sidecar: TestSidecar | null = null;
  afterEach(async () => {
    await sidecar?.stop();
  });

  it('a watcher sees SERVING, then NOT_SERVING as soon as shutdown starts', async () => {
    sidecar = await startTestSidecar({ shutdownGraceMs: 500 });
    const client = new Client(sidecar.addresses.unix, credentials.createInsecure());
    const m = health['Watch'] as ServiceDefinition[string];
    const watch = client.makeServerStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      { service: SERVICE_NAME },
      new Metadata(),
      {
        deadline: Date.now() + 10_000,
      },
    ) as ClientReadableStream<Message>;
    const seen: string[] = [];
    const ended = new Promise<void>((resolve) => {
      watch.on('data', (m: Message) => seen.push(m['status'] as string));
      watch.on('error', () => resolve());
      watch.on('end', () => resolve());
    });
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    const closing = sidecar.handle.close();
    await ended;
    await closing;
    client.close();
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });
});
