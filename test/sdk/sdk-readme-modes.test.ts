// The client-sdk/README "Modes" snippet runs against a real sidecar and prints what the README says,
// and the sidecar's /metrics shows the one BatchGetSettlementDates RPC the text promises.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveSidecar, type LiveSidecar } from '../deploy/live-sidecar.js';

const ROOT = resolve(import.meta.dirname, '../..');
let live: LiveSidecar | undefined;
let metricsUrl = '';

async function requests(method: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let n = 0;
  for (const m of text.matchAll(/^tplus_requests_total\{method="([^"]+)",code="[^"]+"\} (\d+)$/gm)) if (m[1] === method) n += Number(m[2]);
  return n;
}

beforeAll(async () => {
  live = await startLiveSidecar();
  metricsUrl = live.metricsUrl;
});

afterAll(async () => {
  await live?.stop();
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
      env: { ...process.env, TPLUS_ADDRESS: live?.address ?? '' },
      timeout: 20_000,
    });
    expect(out).toBe(`${printed}\n`);
    expect(await requests('BatchGetSettlementDates')).toBe(before.batch + 1);
    expect(await requests('GetSettlementDate')).toBe(before.unary);
  });
});
