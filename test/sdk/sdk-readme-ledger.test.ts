import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tplus-sdk-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('client-sdk/README: the ledger snippet runs', () => {
  it('prints what the README says against a stopped sidecar, and the entry is on disk', async () => {
    const text = readFileSync(resolve(ROOT, 'client-sdk/README.md'), 'utf8');
    const section = text.slice(text.indexOf('## The ledger'), text.indexOf('## Shadow mode'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    expect(section).toContain('prints `fallback 2024-05-28 0`');
    const ledger = join(dir, 'tplus-provisional.jsonl');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code ?? ''], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TPLUS_ADDRESS: `127.0.0.1:${await closedPort()}`, TPLUS_LEDGER: ledger },
      timeout: 20_000,
    });
    expect(out).toBe('fallback 2024-05-28 0\n');
    const lines = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; entry: { provisionalDate: string } });
    expect(lines.map((l) => [l.type, l.entry.provisionalDate])).toEqual([['provisional', '2024-05-28']]);
  });
});
