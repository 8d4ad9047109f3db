import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY } from './deploy-files.js';
import { startLiveSidecar, type LiveSidecar } from './live-sidecar.js';

// The Docker HEALTHCHECK script (docker itself is not available here), run against a real sidecar.
const SCRIPT = resolve(DEPLOY, 'docker/healthcheck.mjs');

function check(socket: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT], {
    env: { ...process.env, TPLUS_SOCKET: socket, TPLUS_HEALTH_TIMEOUT_MS: '2000' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: r.status, stderr: r.stderr };
}

describe('deploy/docker/healthcheck.mjs', () => {
  let sidecar: LiveSidecar;
  beforeAll(async () => {
    sidecar = await startLiveSidecar();
  });
  afterAll(async () => {
    await sidecar?.stop();
  });

  it('exits 0 while the sidecar serves, 1 once it is gone', async () => {
    const socket = sidecar.address.replace('unix://', '');
    expect(check(socket)).toMatchObject({ code: 0 });
    sidecar.process.child.kill('SIGKILL');
    await sidecar.process.exited;
    const down = check(socket);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('tplus health:');
  });
});
