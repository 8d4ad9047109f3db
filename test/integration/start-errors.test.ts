// A second `tplus serve` (or `tplus registry`) that cannot start says so in ONE plain first line on stderr,
// naming the flag, the value and what to change, before its JSON log; no stack trace; exit 1.
// Real processes: a first instance holds its port, socket, metrics port and data dir; a second one
// collides on exactly one of them per case.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryArgs, registryFixture, type RegistryFixture } from '../registry/registry-harness.js';
import { spawnTplus, type TplusProcess } from '../registry/tplus-process.js';
import { tempDir } from './sidecar-harness.js';
import { reap, spawnSidecar, type SidecarProcess } from './sidecar-process.js';

const SEE = 'see docs/sidecar.md#running-a-second-instance';

/** Runs a second instance to its exit: its exit code and stderr lines. */
async function second(args: readonly string[]): Promise<{ code: number | null; stderr: string[] }> {
  const p = spawnSidecar(args);
  const timer = setTimeout(() => reap(p), 30_000);
  const { code } = await p.exited;
  clearTimeout(timer);
  return { code, stderr: p.stderr };
}

function expectOneHumanLine(r: { code: number | null; stderr: string[] }, first: string): void {
  expect(r.stderr[0]).toBe(first);
  expect(r.code).toBe(1);
  // The rest is the JSON log, and no stack trace anywhere.
  for (const line of r.stderr.slice(1)) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  expect(r.stderr.join('\n')).not.toMatch(/\n\s+at /);
  expect(r.stderr.join('\n')).not.toContain('"stack"');
}

describe('a second tplus serve next to a running one', () => {
  const a = tempDir('tplus-first-');
  const b = tempDir('tplus-second-');
  let first: SidecarProcess;
  let port: string;
  let metrics: string;
  beforeAll(async () => {
    first = spawnSidecar(['--data-dir', a.path, '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0']);
    port = String((await first.waitFor('listening', (l) => l['transport'] === 'tcp'))['address']);
    metrics = new URL(String((await first.waitFor('metrics_listening'))['url'])).host;
    await first.waitFor('serving');
  }, 30_000);
  afterAll(async () => {
    first.child.kill('SIGTERM');
    await first.exited;
    reap(first);
    a.remove();
    b.remove();
  });

  it('--listen in use: names the flag and the address', async () => {
    const r = await second(['--data-dir', b.path, '--listen', port, '--metrics-listen', 'off']);
    expectOneHumanLine(r, `tplus serve: --listen ${port} is already in use (another tplus?); pass --listen HOST:PORT, or ${SEE}`);
  });

  it('--socket in use by a live process: names the flag and the path', async () => {
    const socket = join(a.path, 'tplus.sock');
    const r = await second(['--data-dir', b.path, '--listen', 'off', '--socket', socket, '--metrics-listen', 'off']);
    expectOneHumanLine(r, `tplus serve: --socket ${socket} is in use by a running process (another tplus?); pass --socket PATH, or ${SEE}`);
  });

  it('--metrics-listen in use: names the flag and the address', async () => {
    const r = await second(['--data-dir', b.path, '--listen', 'off', '--metrics-listen', metrics]);
    expectOneHumanLine(
      r,
      `tplus serve: --metrics-listen ${metrics} is already in use (another tplus?); pass --metrics-listen HOST:PORT, or ${SEE}`,
    );
  });

  it('--data-dir held by the running instance: names the flag and the directory', async () => {
    const r = await second(['--data-dir', a.path, '--listen', 'off', '--socket', join(b.path, 'other.sock'), '--metrics-listen', 'off']);
    expectOneHumanLine(
      r,
      `tplus serve: --data-dir ${a.path} is in use by another tplus (it holds ${join(a.path, 'tplus.lock')}); pass --data-dir DIR, or ${SEE}`,
    );
  });

  it('--data-dir that cannot be created: names the flag, the directory and the error', async () => {
    const file = join(b.path, 'a-file');
    writeFileSync(file, '');
    const r = await second([
      '--data-dir',
      join(file, 'data'),
      '--listen',
      'off',
      '--socket',
      join(b.path, 'x.sock'),
      '--metrics-listen',
      'off',
    ]);
    expectOneHumanLine(
      r,
      `tplus serve: --data-dir ${join(file, 'data')} cannot be created or written (ENOTDIR); pass --data-dir DIR this user can write, or ${SEE}`,
    );
  });
});

describe('a second tplus registry next to a running one', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let address: string;
  const other = tempDir('tplus-second-registry-');
  beforeAll(async () => {
    fx = registryFixture();
    registry = spawnTplus(registryArgs(fx, '127.0.0.1:0', ['--metrics-listen', 'off']));
    address = String((await registry.waitFor('registry_serving'))['address']);
  }, 30_000);
  afterAll(async () => {
    await registry.stop();
    other.remove();
    fx.remove();
  });

  const secondRegistry = async (args: readonly string[]): Promise<{ code: number | null; stderr: string[] }> => {
    const p = spawnTplus(args);
    const timer = setTimeout(() => void p.stop('SIGKILL'), 30_000);
    const code = await p.exited;
    clearTimeout(timer);
    return { code, stderr: p.output };
  };

  it('--listen in use: names the flag and the address', async () => {
    const args = registryArgs(fx, address, ['--metrics-listen', 'off']);
    const r = await secondRegistry([...args.slice(0, 2), join(other.path, 'data'), ...args.slice(3)]);
    expectOneHumanLine(r, `tplus registry: --listen ${address} is already in use (another tplus?); pass --listen HOST:PORT, or ${SEE}`);
  });

  it('--data-dir held by the running registry: names the flag and the directory', async () => {
    const r = await secondRegistry(registryArgs(fx, '127.0.0.1:0', ['--metrics-listen', 'off']));
    const dir = join(fx.dir, 'data');
    expectOneHumanLine(
      r,
      `tplus registry: --data-dir ${dir} is in use by another tplus (it holds ${join(dir, 'tplus.lock')}); pass --data-dir DIR, or ${SEE}`,
    );
  });
});
