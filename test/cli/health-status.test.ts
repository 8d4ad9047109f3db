// `tplus health ADDR` and `tplus status ADDR` against real processes: the sidecar `npm start` runs
// (server/dist/main.js serve) on TCP and on its Unix socket, a registry of this release (no
// grpc.health.v1: answered through ListVersions), a sidecar following that registry, and nothing.
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../integration/sidecar-harness.js';
import { reap, spawnSidecar, type SidecarProcess } from '../integration/sidecar-process.js';
import { followerArgs, publishArgs, registryArgs, registryFixture, type RegistryFixture } from '../registry/registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from '../registry/tplus-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { cliProcess } from '../support/run-cli.js';

const DAY_MS = 86_400_000;

/** A TCP port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('tplus health / status against the sidecar npm start runs', () => {
  const dir = tempDir('tplus-probe-');
  let sidecar: SidecarProcess;
  let tcp: string;
  let socket: string;
  beforeAll(async () => {
    sidecar = spawnSidecar(['--data-dir', dir.path, '--listen', '127.0.0.1:0', '--metrics-listen', 'off']);
    tcp = String((await sidecar.waitFor('listening', (l) => l['transport'] === 'tcp'))['address']);
    await sidecar.waitFor('serving');
    socket = `unix://${join(dir.path, 'tplus.sock')}`;
  }, 30_000);
  afterAll(async () => {
    sidecar.child.kill('SIGTERM');
    await sidecar.exited;
    reap(sidecar);
    dir.remove();
  });

  it('health unix:///…/tplus.sock prints SERVING and exits 0', async () => {
    const r = await cliProcess(['health', socket]);
    expect(r).toEqual({ code: 0, stdout: `${socket}: SERVING\n`, stderr: '' });
  });

  it('health HOST:PORT --json prints one object naming the call that answered', async () => {
    const r = await cliProcess(['health', tcp, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ address: tcp, health: 'SERVING', health_via: 'grpc.health.v1.Health/Check' });
  });

  it('status 127.0.0.1:PORT --json: version, sha256, source, activation, staleness, integrity and days left per calendar', async () => {
    const r = await cliProcess(['status', tcp, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown> & {
      horizons: { calendar_id: string; last_covered_date: string; days_left: number }[];
    };
    const active = await sidecar.waitFor('ruleset_active');
    expect(s).toMatchObject({
      address: tcp,
      health: 'SERVING',
      kind: 'sidecar',
      ruleset_version: active['version'],
      sha256: active['hash'],
      source: 'bundled',
      following_registry: false,
      staleness_seconds: 0,
      integrity_warning: '',
    });
    expect(Date.parse(String(s['activated_at']))).not.toBeNaN();
    // Days left are counted by the sidecar's clock (UTC today) to the calendar's last covered date.
    const us = s.horizons.find((h) => h.calendar_id === 'US-SETTLEMENT');
    expect(us?.last_covered_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const today = Math.floor(Date.now() / DAY_MS);
    expect(us?.days_left).toBe(Date.parse(`${us?.last_covered_date}T00:00:00Z`) / DAY_MS - today);
  });

  it('status over the socket prints the same facts, one per line, calendars soonest to run out first', async () => {
    const r = await cliProcess(['status', socket]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 8)).toEqual([
      `${socket}: SERVING`,
      expect.stringMatching(/^ruleset: +version \d+ \(\d+ rules\), source bundled$/),
      expect.stringMatching(/^sha256: +[0-9a-f]{64}$/),
      expect.stringMatching(/^published: +\d{4}-/),
      expect.stringMatching(/^activated: +\d{4}-/),
      'sync:        follows no registry (serves its local copy)',
      'integrity:   ok',
      'horizon:     days left to the last date each calendar covers',
    ]);
    const days = lines.slice(8).map((l) => Number(l.trim().split(/\s+/)[2]));
    expect(days.length).toBeGreaterThan(5);
    expect(days).toEqual([...days].sort((a, b) => a - b));
  });
});

describe('tplus health / status when nothing answers, or ADDR is wrong', () => {
  it('an address nobody listens on: exit 1, one line naming the address and the gRPC code', async () => {
    const addr = `127.0.0.1:${await closedPort()}`;
    for (const command of ['health', 'status']) {
      const r = await cliProcess([command, addr]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^tplus ${command}: cannot reach ${addr}: UNAVAILABLE \\(.*ECONNREFUSED.*\\)\\n$`));
    }
  });

  it('a server that accepts but never answers: --timeout bounds the wait, exit 1 naming DEADLINE_EXCEEDED', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket.on('error', () => undefined));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const addr = `127.0.0.1:${address.port}`;
      const started = Date.now();
      const r = await cliProcess(['health', addr, '--timeout', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^tplus health: cannot reach ${addr}: DEADLINE_EXCEEDED`));
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a missing socket with --json: the JSON says UNREACHABLE too', async () => {
    const d = tempDir('tplus-probe-');
    try {
      const addr = `unix://${join(d.path, 'none.sock')}`;
      const r = await cliProcess(['health', addr, '--json', '--timeout', '2']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ address: addr, health: 'UNREACHABLE', code: 'UNAVAILABLE' });
    } finally {
      d.remove();
    }
  });

  it('a malformed ADDR or --timeout is a usage error (exit 2) naming it; --help exits 0', async () => {
    const bad = await cliProcess(['health', 'localhost']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('tplus: health: ADDR "localhost" is neither HOST:PORT nor unix:///PATH');
    const timeout = await cliProcess(['status', '127.0.0.1:1', '--timeout', '0']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr.split('\n')[0]).toContain('--timeout="0"');
    for (const command of ['health', 'status']) {
      const help = await cliProcess([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: tplus ${command} ADDR [--timeout S] [--json]`);
    }
  });
});

describe('tplus health / status against a registry and a sidecar that follows it', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let follower: TplusProcess | null = null;
  const followerDir = tempDir('tplus-probe-follower-');
  let address: string;
  beforeAll(async () => {
    fx = registryFixture();
    address = `unix:${join(fx.dir, 'registry.sock')}`;
    registry = spawnTplus(registryArgs(fx, address, ['--metrics-listen', 'off']));
    await registry.waitFor('registry_serving');
  }, 30_000);
  afterAll(async () => {
    await follower?.stop();
    await registry.stop();
    followerDir.remove();
    fx.remove();
  });

  it('health of a registry: SERVING, from its grpc.health.v1 Check, with or without a token', async () => {
    const anonymous = await cliProcess(['health', address, '--json']);
    expect(anonymous.code).toBe(0);
    expect(JSON.parse(anonymous.stdout)).toEqual({
      address,
      health: 'SERVING',
      health_via: 'grpc.health.v1.Health/Check',
    });
    const withToken = await cliProcess(['health', address, '--token-file', fx.readTokenFile]);
    expect(withToken).toEqual({ code: 0, stdout: `${address}: SERVING\n`, stderr: '' });
  });

  it("status of the registry shows its latest version (with a read token); a follower's status shows it follows and how stale it is", async () => {
    const published = await runTplus(publishArgs(fx, address, RULES_DIR, 'first'));
    expect(published.code).toBe(0);
    const r = await cliProcess(['status', address, '--json', '--token-file', fx.readTokenFile]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'registry', health: 'SERVING', latest: { version: 1, reason: 'first' } });
    const noToken = await cliProcess(['status', address]);
    expect(noToken.code).toBe(0);
    expect(noToken.stdout).toContain('latest:      ListVersions answered UNAUTHENTICATED: pass --token-file to see versions');

    follower = spawnTplus(followerArgs(fx, address, followerDir.path, ['--metrics-listen', 'off']));
    await follower.waitFor('serving');
    const f = await cliProcess(['status', `unix://${join(followerDir.path, 's.sock')}`, '--json']);
    expect(f.code).toBe(0);
    const s = JSON.parse(f.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({ kind: 'sidecar', health: 'SERVING', ruleset_version: 1, following_registry: true });
    expect(s['source']).toContain('registry');
    expect(typeof s['staleness_seconds']).toBe('number');
    expect(s['staleness_seconds']).toBeLessThan(60);
  }, 60_000);
});
