// The client-sdk/README "Modes" in-process snippet runs against a real sidecar process and prints what
// the README says it prints: a date decided in-process from the synced ruleset, not stale, and
// VERSION_NOT_HELD for a pinned version the client does not hold.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reap, spawnSidecar, type SidecarProcess } from '../integration/sidecar-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tplus-sdk-modes-in-process-'));
let sidecar: SidecarProcess;

beforeAll(async () => {
  sidecar = spawnSidecar(['--data-dir', join(dir, 'data'), '--socket', join(dir, 's.sock'), '--listen', 'off', '--metrics-listen', 'off']);
  await sidecar.waitFor('serving');
});

afterAll(async () => {
  if (sidecar) {
    sidecar.child.kill('SIGTERM');
    const timer = setTimeout(() => reap(sidecar), 10_000);
    await sidecar.exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('client-sdk/README: the in-process snippet of Modes runs', () => {
  it('prints what the README says: in-process answers from the synced version, VERSION_NOT_HELD for another one', () => {
    const text = readFileSync(resolve(ROOT, 'client-sdk/README.md'), 'utf8');
    const section = text.slice(text.indexOf('**In-process'), text.indexOf('**Which mode to pick.**'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toContain("mode: 'in-process'");
    const printed = /this prints `([^`]+)`/.exec(section)?.[1];
    expect(printed).toBe('2024-05-29 in-process us-equity-xnys-t1 false 2024-05-29 VERSION_NOT_HELD');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code ?? ''], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TPLUS_ADDRESS: `unix://${join(dir, 's.sock')}` },
      timeout: 20_000,
    });
    expect(out).toBe(`${printed}\n`);
  });
});
