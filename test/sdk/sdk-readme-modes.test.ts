// The client-sdk/README "Modes" snippet runs against a real sidecar and prints what the README says,
// and the sidecar's /metrics shows the one BatchGetSettlementDates RPC the text promises.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reap, spawnSidecar, type SidecarProcess } from '../integration/sidecar-process.js';
import { closedPort } from '../support/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tplus-sdk-modes-'));
let sidecar: SidecarProcess;
let metricsUrl = '';

async function requests(method: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let n = 0;
  for (const m of text.matchAll(/^tplus_requests_total\{method="([^"]+)",code="[^"]+"\} (\d+)$/gm)) if (m[1] === method) n += Number(m[2]);
  return n;
}

beforeAll(async () => {
  const port = await closedPort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  sidecar = spawnSidecar([
    '--data-dir',
    join(dir, 'data'),
    '--socket',
    join(dir, 's.sock'),
    '--listen',
    'off',
    '--metrics-listen',
    `127.0.0.1:${port}`,
  ]);
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

describe('client-sdk/README: the Modes snippet runs', () => {
  it('prints what the README says after one BatchGetSettlementDates RPC and no unary call', async () => {
    const text = readFileSync(resolve(ROOT, 'client-sdk/README.md'), 'utf8');
    const section = text.slice(text.indexOf('## Modes'), text.indexOf('## The fallback contract'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const printed = /this prints `([^`]+)` after one\s+`BatchGetSettlementDates` RPC/.exec(section)?.[1];
    expect(printed).toBe('2024-05-29 2024-05-29 2024-06-03 NO_RULE');
    const before = { batch: await requests('BatchGetSettlementDates'), unary: await requests('GetSettlementDate') };
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code ?? ''], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TPLUS_ADDRESS: `unix://${join(dir, 's.sock')}` },
      timeout: 20_000,
    });
    expect(out).toBe(`${printed}\n`);
    expect(await requests('BatchGetSettlementDates')).toBe(before.batch + 1);
    expect(await requests('GetSettlementDate')).toBe(before.unary);
  });
});
