import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAIN } from '../support/run-cli.js';

const LINES = 1_000_000;
const MARKETS = ['XNYS', 'XNAS', 'ARCX'];

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Trading days only (weekday dates in 2024 that are not NYSE holidays are mixed with a few closures). */
function* input(): Generator<string> {
  const base = Date.UTC(2018, 0, 1);
  for (let i = 0; i < LINES; i++) {
    const date = new Date(base + (i % 4000) * 86_400_000).toISOString().slice(0, 10);
    yield `{"trade_date":"${date}","asset_class":"EQUITY","market":"${MARKETS[i % 3]}","allow_non_trading_day":true}\n`;
  }
}

describe('settle --input at volume', () => {
  it('answers 1,000,000 JSON lines in order with bounded memory', async () => {
    const child = spawn(process.execPath, [MAIN, 'settle', '--input', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const source = Readable.from(input(), { objectMode: false });
    source.pipe(child.stdin);
    let maxRss = 0;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssBytes(child.pid ?? 0))), 100);
    let count = 0;
    let errors = 0;
    let outOfOrder = 0;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    for await (const line of lines) {
      const expectedMarket = MARKETS[count % 3] as string;
      if (!line.includes(`"market":"${expectedMarket}"`)) outOfOrder++;
      if (line.startsWith('{"error"')) errors++;
      count++;
    }
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.on('exit', resolve);
    });
    clearInterval(sampler);
    console.log(`settle --input: ${count} lines, peak child RSS ${(maxRss / 1048576).toFixed(1)} MiB`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(count).toBe(LINES);
    expect(errors).toBe(0);
    expect(outOfOrder).toBe(0);
    // Input is ~90 MB and output ~300 MB: buffering either would blow far past this bound.
    expect(maxRss).toBeGreaterThan(0);
    expect(maxRss).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);
});
