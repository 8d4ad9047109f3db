import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RulesetDocument } from '@tplus/core';
import type { RulesetEventMessage } from '../../server/src/sidecar/wire-types.js';
import { PROTO_ROOT } from '../../server/src/rpc/settlement-proto.js';
import { rulesetHash } from '@tplus/core';
import { ROOT } from './sidecar-process.js';
import { bundled } from '../support/bundled.js';
import { SERVICE, startTestSidecar, TestClient, type TestSidecar } from './sidecar-harness.js';

function watch(client: TestClient, request: object = {}): ClientReadableStream<RulesetEventMessage> {
  const m = SERVICE['WatchRuleset'];
  if (!m) throw new Error('SettlementService has no WatchRuleset');
  return client.raw.makeServerStreamRequest(
    m.path,
    m.requestSerialize,
    m.responseDeserialize,
    request,
    new Metadata(),
    {},
  ) as ClientReadableStream<RulesetEventMessage>;
}

/** Collects events until `until` says stop (bounded by `timeoutMs`). */
function events(
  stream: ClientReadableStream<RulesetEventMessage>,
  until: (seen: RulesetEventMessage[]) => boolean,
  timeoutMs = 10_000,
): Promise<RulesetEventMessage[]> {
  const seen: RulesetEventMessage[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${seen.length} events`)), timeoutMs);
    stream.on('data', (e: RulesetEventMessage) => {
      seen.push(e);
      if (until(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    stream.on('error', (err) => {
      clearTimeout(timer);
      if ((err as ServiceError).code !== status.CANCELLED) reject(err);
    });
  });
}

/** A version of the bundled pack whose XNYS T+1 rule settles in `cycle` days. */
function variant(version: number, cycle: number) {
  const base = bundled().pack.document as RulesetDocument;
  const document = { ...base, rules: base.rules.map((r) => (r.id === 'us-equity-xnys-t1' ? { ...r, cycleDays: cycle } : r)) };
  return { version, hash: rulesetHash(document), source: 'test', publishedAt: '2026-11-27T10:00:00.000Z', document };
}

const UNSENT_BOUND = 1024 * 1024;

/** A plain grpc-js client in its own process: prints "first" on the first event and "error CODE" when the stream fails. */
const WATCHER_SCRIPT = `
import grpc from '@grpc/grpc-js';
import loader from '@grpc/proto-loader';
const [root, address] = process.argv.slice(1);
const def = loader.loadSync('tplus/settlement/v1/settlement.proto', { includeDirs: [root], longs: Number, defaults: true, oneofs: true });
const Service = grpc.loadPackageDefinition(def).tplus.settlement.v1.SettlementService;
const call = new Service(address, grpc.credentials.createInsecure()).WatchRuleset({});
let n = 0;
call.on('data', () => { if (++n === 1) console.log('first'); });
call.on('error', (e) => { console.log('error ' + e.code); process.exit(0); });
`;

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('WatchRuleset: the active ruleset as a stream, for in-process clients', () => {
  let sidecar: TestSidecar;
  let client: TestClient;

  beforeAll(async () => {
    // A small bound, so a client that stops reading is dropped after a few activations.
    sidecar = await startTestSidecar({ limits: { maxWatchUnsentBytes: UNSENT_BOUND } });
    client = new TestClient(sidecar.addresses.unix);
  });
  afterAll(async () => {
    client.close();
    await sidecar.stop();
  });

  it('sends the active version first: canonical document bytes whose sha256 is the version hash, unsigned for the bundled pack', async () => {
    const stream = watch(client);
    const [first, second] = await events(stream, (s) => s.length >= 2);
    stream.cancel();
    const r = first?.ruleset;
    const active = sidecar.handle.current().active.ruleset;
    expect(r).toMatchObject({ rulesetVersion: active.version, sha256: active.hash, source: 'bundled', keyId: '', author: '' });
    expect(
      createHash('sha256')
        .update(r?.document ?? '')
        .digest('hex'),
    ).toBe(active.hash);
    expect(r?.signature.length).toBe(0);
    expect(JSON.parse(String(r?.document))).toEqual(JSON.parse(JSON.stringify(active.document)));
    expect(second?.heartbeat).toMatchObject({
      activeVersion: active.version,
      followingRegistry: false,
      stalenessSeconds: 0,
      intervalMs: 1000,
    });
  });

  it('skips the version the client already holds, then pushes every newly activated one', async () => {
    const active = sidecar.handle.current().active.ruleset;
    const stream = watch(client, { knownVersion: active.version, knownSha256: active.hash });
    const seen: RulesetEventMessage[] = [];
    const pushed = events(stream, (s) => (seen.push(...s.slice(seen.length)), s.some((e) => e.ruleset)));
    await new Promise((r) => setTimeout(r, 200));
    const next = variant(active.version + 1, 3);
    sidecar.handle.install(next);
    const all = await pushed;
    stream.cancel();
    expect(all[0]?.heartbeat).toBeDefined();
    expect(all.filter((e) => e.ruleset).map((e) => [e.ruleset?.rulesetVersion, e.ruleset?.sha256])).toEqual([[next.version, next.hash]]);
  });

  it('drops a client that stops reading (a stopped process) once its unsent messages pass the bound (RESOURCE_EXHAUSTED)', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WATCHER_SCRIPT, PROTO_ROOT, sidecar.addresses.unix], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await until(() => lines.includes('first'), 10_000);
      child.kill('SIGSTOP');
      const base = sidecar.handle.current().active.ruleset.version;
      const dropped = (): boolean => sidecar.logs.some((l) => l['event'] === 'watch_ruleset_dropped');
      for (let i = 1; i <= 60 && !dropped(); i++) {
        sidecar.handle.install(variant(base + i, 2 + (i % 2)));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(dropped()).toBe(true);
      child.kill('SIGCONT');
      await until(() => lines.some((l) => l.startsWith('error')), 20_000);
      expect(lines.find((l) => l.startsWith('error'))).toBe(`error ${status.RESOURCE_EXHAUSTED}`);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }
  });
});
