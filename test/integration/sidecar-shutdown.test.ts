import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_VERSION } from '../support/bundled.js';
import { tempDir, TestClient, type Message } from './sidecar-harness.js';
import { buildServer, reap, spawnSidecar, type SidecarProcess } from './sidecar-process.js';

const XNYS = { assetClass: 'EQUITY', market: 'XNYS' };
let dir: ReturnType<typeof tempDir>;
let procs: SidecarProcess[] = [];
let clients: TestClient[] = [];

beforeAll(() => buildServer(), 180_000);
afterEach(() => {
  for (const c of clients) c.close();
  for (const p of procs) reap(p);
  clients = [];
  procs = [];
  dir?.remove();
});

async function start(
  extra: readonly string[] = [],
  dataDir?: string,
): Promise<{ p: SidecarProcess; tcp: string; unix: string; data: string }> {
  const data = dataDir ?? (dir = tempDir('tplus-proc-')).path;
  const p = spawnSidecar(['--listen', '127.0.0.1:0', '--metrics-listen', 'off', '--data-dir', data, ...extra]);
  procs.push(p);
  const tcp = await p.waitFor('listening', (l) => l['transport'] === 'tcp');
  await p.waitFor('serving');
  return { p, tcp: String(tcp['address']), unix: `unix://${join(data, 'tplus.sock')}`, data };
}

function client(address: string): TestClient {
  const c = new TestClient(address);
  clients.push(c);
  return c;
}

describe('graceful shutdown of a real sidecar process', () => {
  it('on SIGTERM finishes calls in flight, refuses new ones, closes SQLite, removes the socket and exits 0', async () => {
    const { p, tcp, unix, data } = await start(['--shutdown-grace-ms', '10000']);
    const streaming = client(unix);
    const stream = streaming.stream();
    const results: Message[] = [];
    stream.on('data', (m: Message) => results.push(m));
    const streamDone = new Promise<number>((resolve) => {
      stream.on('error', (e: ServiceError) => resolve(e.code));
      stream.on('end', () => resolve(status.OK));
    });
    for (let i = 0; i < 100; i++) stream.write({ tradeDate: '2024-05-28', ...XNYS, correlationId: `before-${i}` });
    while (results.length < 100) await new Promise((r) => setTimeout(r, 10));
    // A burst of unary calls racing the signal: each one is answered or cleanly refused.
    const unary = client(tcp);
    const burst = Array.from({ length: 200 }, () =>
      unary.call('GetSettlementDate', { tradeDate: '2024-05-24', ...XNYS }).then(
        () => status.OK,
        (e: ServiceError) => e.code,
      ),
    );
    p.child.kill('SIGTERM');
    await p.waitFor('shutdown_started');
    // The open stream keeps working during the drain.
    for (let i = 0; i < 100; i++) stream.write({ tradeDate: '2024-05-24', ...XNYS, correlationId: `after-${i}` });
    stream.end();
    expect(await streamDone).toBe(status.OK);
    expect(results).toHaveLength(200);
    expect(results.every((r) => r['result'] === 'decision')).toBe(true);
    expect(new Set(await Promise.all(burst))).toSatisfy((codes: Set<number>) =>
      [...codes].every((c) => c === status.OK || c === status.UNAVAILABLE),
    );
    const fresh = await client(unix)
      .failure('GetSettlementDate', { tradeDate: '2024-05-24', ...XNYS })
      .catch((e: unknown) => e);
    expect((fresh as ServiceError).code).toBe(status.UNAVAILABLE);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.logs.map((l) => l['event'])).toEqual(expect.arrayContaining(['signal_received', 'shutdown_started', 'shutdown_complete']));
    expect(p.logs.some((l) => l['event'] === 'drain_cancelled')).toBe(false);
    expect(existsSync(join(data, 'tplus.sock'))).toBe(false);
    expect(existsSync(join(data, 'rulesets.db-wal'))).toBe(false);
  }, 60_000);

  it('cancels a call that outlives the grace period, then still cleans up', async () => {
    const { p, unix, data } = await start(['--shutdown-grace-ms', '300']);
    const stream = client(unix).stream();
    const streamDone = new Promise<number>((resolve) => stream.on('error', (e: ServiceError) => resolve(e.code)));
    const answered = new Promise((resolve) => stream.once('data', resolve));
    stream.write({ tradeDate: '2024-05-28', ...XNYS, correlationId: 'x' });
    await answered;
    const started = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([status.UNAVAILABLE, status.CANCELLED, status.INTERNAL]).toContain(await streamDone);
    expect(p.logs.map((l) => l['event'])).toEqual(expect.arrayContaining(['drain_cancelled', 'shutdown_complete']));
    expect(existsSync(join(data, 'tplus.sock'))).toBe(false);
    expect(existsSync(join(data, 'rulesets.db-wal'))).toBe(false);
  }, 30_000);

  it('a second signal during shutdown cancels the drain but does not skip the cleanup', async () => {
    const { p, unix, data } = await start(['--shutdown-grace-ms', '60000']);
    const stream = client(unix).stream();
    stream.on('error', () => undefined);
    const answered = new Promise((resolve) => stream.once('data', resolve));
    stream.write({ tradeDate: '2024-05-28', ...XNYS, correlationId: 'x' });
    await answered;
    p.child.kill('SIGTERM');
    await p.waitFor('shutdown_started');
    const started = Date.now();
    p.child.kill('SIGINT');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    const events = p.logs.map((l) => l['event']);
    expect(events.filter((e) => e === 'signal_received')).toHaveLength(2);
    expect(events).toEqual(expect.arrayContaining(['drain_cancelled', 'shutdown_complete']));
    expect(existsSync(join(data, 'tplus.sock'))).toBe(false);
    expect(existsSync(join(data, 'rulesets.db-wal'))).toBe(false);
  }, 30_000);
});

describe('restarts', () => {
  it('after a crash (SIGKILL) the stale socket file does not prevent start, and the local copy serves', async () => {
    const first = await start();
    first.p.child.kill('SIGKILL');
    await first.p.exited;
    expect(existsSync(join(first.data, 'tplus.sock'))).toBe(true);
    const second = await start([], first.data);
    expect(second.p.logs.map((l) => l['event'])).toEqual(expect.arrayContaining(['stale_socket_removed', 'ruleset_unchanged']));
    const res = await client(second.unix).call('GetSettlementDate', { tradeDate: '2024-05-28', ...XNYS });
    expect(res).toMatchObject({ settlementDate: '2024-05-29', rulesetVersion: BUNDLED_VERSION });
    second.p.child.kill('SIGTERM');
    expect((await second.p.exited).code).toBe(0);
  }, 60_000);

  it('refuses to take over the socket of a live sidecar', async () => {
    const live = await start();
    const other = spawnSidecar([
      '--listen',
      'off',
      '--metrics-listen',
      'off',
      '--data-dir',
      join(live.data, 'other'),
      '--socket',
      join(live.data, 'tplus.sock'),
    ]);
    procs.push(other);
    expect((await other.exited).code).toBe(1);
    const failed = await other.waitFor('start_failed');
    expect(failed).toMatchObject({
      flag: '--socket',
      value: join(live.data, 'tplus.sock'),
      problem: 'is in use by a running process (another tplus?)',
    });
    const res = await client(live.unix).call('GetSettlementDate', { tradeDate: '2024-05-28', ...XNYS });
    expect(res).toMatchObject({ settlementDate: '2024-05-29' });
  }, 60_000);

  it('exits 2 with a message naming the bad field for invalid configuration', async () => {
    const p = spawnSidecar(['--listen', 'nowhere']);
    procs.push(p);
    expect((await p.exited).code).toBe(2);
    expect(p.stderr.join('\n')).toContain('invalid listen: --listen="nowhere"');
  }, 30_000);
});
