/**
 * Every way of starting tplus goes through one launcher, bin/tplus, which sets what must be set before
 * node starts: glibc's malloc reads its environment once, at process start, so nothing inside the program
 * can set it. What it sets (MALLOC_TRIM_THRESHOLD_, MALLOC_MMAP_THRESHOLD_) keeps glibc from raising its
 * trim threshold to twice the largest block freed (start-up frees blocks of 0.1-2.2 MiB: TurboFan compile
 * zones on V8's worker threads, a whole-document hash buffer), after which each worker thread's malloc
 * arena kept 1.7 MiB free for the life of the process (7 MiB of a 75 MiB idle sidecar; docs/sidecar.md#memory).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../integration/sidecar-harness.js';
import { reap, ROOT, spawnSidecar, type SidecarProcess } from '../integration/sidecar-process.js';

const LAUNCHER = 'bin/tplus';
const INSTALLED = '/opt/tplus/bin/tplus';

/** Resident KiB in glibc's per-thread malloc arenas: each is a 64 MiB-aligned reservation, its used head read-write. */
function threadArenaKiB(pid: number): number {
  const maps = [
    ...readFileSync(`/proc/${pid}/smaps`, 'utf8').matchAll(
      /^([0-9a-f]+)-([0-9a-f]+) (\S+) [^\n]*\n(?:(?![0-9a-f]+-)[^\n]*\n)*?Rss:\s+(\d+) kB/gm,
    ),
  ];
  let total = 0;
  for (let i = 0; i + 1 < maps.length; i++) {
    const [, start, end, perm, rss] = maps[i] as RegExpMatchArray;
    const [, nextStart, nextEnd, nextPerm] = maps[i + 1] as RegExpMatchArray;
    const base = BigInt(`0x${start}`);
    const reserved = BigInt(`0x${nextEnd}`) - base;
    if (perm === 'rw-p' && nextPerm === '---p' && end === nextStart && base % 0x4000000n === 0n && reserved === 0x4000000n)
      total += Number(rss);
  }
  return total;
}

describe('the launcher', () => {
  it('is how npm start, the package bin, the image and the systemd unit start tplus', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['start']).toBe(`${LAUNCHER} serve`);
    expect(pkg.bin['tplus']).toBe(LAUNCHER);
    const dockerfile = readFileSync(resolve(ROOT, 'deploy/docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(new RegExp(`^ENTRYPOINT \\["${INSTALLED}"\\]$`, 'm'));
    const unit = readFileSync(resolve(ROOT, 'deploy/systemd/tplus-sidecar.service'), 'utf8');
    expect(unit).toMatch(new RegExp(`^ExecStart=${INSTALLED} serve `, 'm'));
    // The Kubernetes manifests run the image's ENTRYPOINT: none may replace it with a command of its own.
    for (const file of ['trading-app-deployment.yaml', 'registry-statefulset.yaml']) {
      const text = readFileSync(resolve(ROOT, 'deploy/kubernetes', file), 'utf8');
      expect(text, file).not.toMatch(/^\s+command:/m);
    }
  });
});

describe('the sidecar as `npm start` starts it', () => {
  let sidecar: SidecarProcess | null = null;
  const dir = tempDir('tplus-launcher-');
  afterEach(() => {
    reap(sidecar);
    sidecar = null;
    dir.remove();
  });

  it("runs with the launcher's malloc setting and holds under 6 MiB in the worker threads' malloc arenas once settled", async () => {
    const start = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'];
    // As npm runs a script: through sh, with the node that runs the tests first on PATH. `exec` keeps one pid.
    sidecar = spawnSidecar(
      ['--data-dir', join(dir.path, 'data'), '--socket', join(dir.path, 's.sock'), '--listen', 'off', '--metrics-listen', 'off'],
      {
        file: '/bin/sh',
        args: ['-c', `exec ${start} "$@"`, 'sh'],
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
      },
    );
    await sidecar.waitFor('serving');
    const pid = sidecar.child.pid ?? 0;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('node');
    expect.soft(environ).toEqual(expect.arrayContaining(['MALLOC_TRIM_THRESHOLD_=524288', 'MALLOC_MMAP_THRESHOLD_=4194304']));
    await sidecar.waitFor('heap_settled', () => true, 60_000);
    // Measured at heap_settled on a 2-core box: 6.9-7.3 MiB without the setting, 1.4-4.9 MiB with it.
    expect(threadArenaKiB(pid)).toBeLessThan(6 * 1024);
  }, 90_000);
});
