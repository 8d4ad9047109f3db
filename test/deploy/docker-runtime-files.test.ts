/**
 * The Docker image cannot be built here (no Docker engine), so this assembles exactly the files the
 * Dockerfile's runtime stage copies, and starts the production program from them. Workspace packages
 * are links in node_modules (@tplus/core → ../../core): a package the stage forgets fails here with
 * ERR_MODULE_NOT_FOUND, as it would in the image.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../integration/sidecar-harness.js';
import { buildServer, ROOT } from '../integration/sidecar-process.js';

const DOCKERFILE = resolve(ROOT, 'deploy/docker/Dockerfile');

/** `COPY` lines of the last stage: [source in the repo, destination under WORKDIR]. */
function runtimeCopies(text: string): [string, string][] {
  const stages = text.split(/^FROM /m);
  const runtime = stages[stages.length - 1] ?? '';
  return [...runtime.matchAll(/^COPY\s+(--from=build\s+)?(\S+)\s+(\S+)\s*$/gm)].map((m) => [
    (m[2] as string).replace(/^\/src\//, ''),
    m[3] as string,
  ]);
}

/** The last stage's ENTRYPOINT (exec form), with its WORKDIR prefix replaced by `root`. */
function entrypointOf(text: string, root: string): string[] {
  const runtime = text.split(/^FROM /m).at(-1) ?? '';
  const workdir = /^WORKDIR\s+(\S+)\s*$/m.exec(runtime)?.[1] ?? '/';
  const entry = JSON.parse(/^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtime)?.[1] ?? '[]') as string[];
  return entry.map((a) => (a.startsWith(`${workdir}/`) ? join(root, a.slice(workdir.length + 1)) : a));
}

/** node_modules as the image has it: every package linked from the repo, the workspace links copied as the relative links they are. */
function linkNodeModules(into: string): void {
  const from = resolve(ROOT, 'node_modules');
  mkdirSync(into);
  for (const name of readdirSync(from)) {
    if (name === '@tplus') cpSync(join(from, name), join(into, name), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(join(from, name), join(into, name));
  }
}

describe('the Docker runtime stage holds everything the program loads', () => {
  const dir = tempDir('tplus-image-');
  afterAll(() => dir.remove());

  it('starts `serve` through its ENTRYPOINT from exactly the files the runtime stage copies, and its HEALTHCHECK script says SERVING', async () => {
    buildServer();
    const copies = runtimeCopies(readFileSync(DOCKERFILE, 'utf8'));
    expect(copies.map(([, to]) => to)).toEqual(expect.arrayContaining(['server/dist', 'core/dist', 'client-sdk/dist']));
    for (const [from, to] of copies) {
      if (from === 'node_modules') linkNodeModules(join(dir.path, to));
      else cpSync(resolve(ROOT, from), join(dir.path, to === './' ? from : to), { recursive: true });
    }
    const data = join(dir.path, 'data');
    // The image's ENTRYPOINT, its WORKDIR mapped to the assembled directory, with `serve` as CMD gives it.
    const entrypoint = entrypointOf(readFileSync(DOCKERFILE, 'utf8'), dir.path);
    const child = spawn(
      entrypoint[0] as string,
      [...entrypoint.slice(1), 'serve', '--data-dir', data, '--socket', join(data, 's.sock'), '--listen', 'off', '--metrics-listen', 'off'],
      {
        cwd: dir.path,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
      },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const serving = await Promise.race([
      (async () => {
        for (let i = 0; i < 300 && !output.includes('"event":"serving"'); i++) await new Promise((r) => setTimeout(r, 50));
        return output.includes('"event":"serving"');
      })(),
      exited.then(() => false),
    ]);
    let health = { status: -1, output: '' };
    // What the launcher sets before node starts reaches the served process (bin/tplus; test/deploy/launcher.test.ts).
    const environ = serving ? readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0') : [];
    if (serving) {
      // The image's HEALTHCHECK, from the same file set: `node deploy/docker/healthcheck.mjs`.
      const h = spawnSync(process.execPath, ['deploy/docker/healthcheck.mjs'], {
        cwd: dir.path,
        env: { ...process.env, TPLUS_SOCKET: join(data, 's.sock') },
        encoding: 'utf8',
        timeout: 10_000,
      });
      health = { status: h.status ?? -1, output: `${h.stdout}${h.stderr}` };
    }
    child.kill('SIGTERM');
    await exited;
    expect(serving, output).toBe(true);
    expect(environ).toEqual(expect.arrayContaining(['MALLOC_TRIM_THRESHOLD_=524288', 'MALLOC_MMAP_THRESHOLD_=4194304']));
    expect(health.status, health.output).toBe(0);
  });
});
