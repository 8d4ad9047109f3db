import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlFileLedger, type ProvisionalEntry } from '../../client-sdk/src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tplus-ledger-torn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (id: string): ProvisionalEntry => ({
  id,
  request: { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' },
  provisionalDate: '2024-05-28',
  at: '2026-11-27T10:00:00.000Z',
  reason: 'UNAVAILABLE',
  status: 'open',
});
const line = (id: string): string => `${JSON.stringify({ type: 'provisional', entry: entry(id) })}\n`;
const TORN = '{"type":"provisional","entry":{"id":"torn-1","request":{"trad';

describe('JsonlFileLedger: a torn last line is cut off, kept aside and reported, never glued to', () => {
  it('opens, truncates, keeps the torn bytes in <path>.torn, then appends and reopens without losing an entry', async () => {
    const path = join(dir, 'ledger.jsonl');
    writeFileSync(path, line('a1') + line('a2') + TORN);
    const clean = Buffer.byteLength(line('a1') + line('a2'));

    const first = new JsonlFileLedger(path);
    expect(first.all().map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(readFileSync(path).length).toBe(clean); // truncated to the end of the last complete line
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe(`${TORN}\n`);
    expect(first.tornTail).toEqual({ tornPath: `${path}.torn`, line: 3, offset: clean, bytes: Buffer.byteLength(TORN) });

    first.record(entry('b1'));
    await first.flush();
    await first.close();
    const second = new JsonlFileLedger(path);
    expect(second.all().map((e) => e.id)).toEqual(['a1', 'a2', 'b1']);
    expect(second.tornTail).toBeNull();

    second.record(entry('b2'));
    second.record(entry('b3'));
    await second.flush();
    await second.close();
    const third = new JsonlFileLedger(path);
    expect(third.all().map((e) => e.id)).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
    await third.close();
  });

  it('appends a second torn tail to the existing .torn file instead of overwriting it', async () => {
    const path = join(dir, 'twice.jsonl');
    writeFileSync(path, line('c1') + 'first-torn');
    await new JsonlFileLedger(path).close();
    appendFileSync(path, 'second-torn');
    const again = new JsonlFileLedger(path);
    expect(again.all().map((e) => e.id)).toEqual(['c1']);
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe('first-torn\nsecond-torn\n');
    await again.close();
  });

  it('treats a last line that was glued onto a torn one (written by older SDKs) as torn too', async () => {
    const path = join(dir, 'glued.jsonl');
    writeFileSync(path, line('d1') + TORN + line('d2'));
    const ledger = new JsonlFileLedger(path);
    expect(ledger.all().map((e) => e.id)).toEqual(['d1']);
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe(TORN + line('d2'));
    await ledger.close();
  });

  it('refuses a corrupt line that is not the last one, naming file:line, and changes nothing', () => {
    const path = join(dir, 'corrupt.jsonl');
    const text = line('e1') + 'garbage\n' + line('e2');
    writeFileSync(path, text);
    expect(() => new JsonlFileLedger(path)).toThrow(/corrupt\.jsonl:2: not a JSON line/);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(existsSync(`${path}.torn`)).toBe(false);
  });

  it('refuses a JSON line that is not a ledger record, naming file:line', () => {
    const path = join(dir, 'shape.jsonl');
    writeFileSync(path, `{"type":"provisional","entry":{}}\n${line('f1')}`);
    expect(() => new JsonlFileLedger(path)).toThrow(/shape\.jsonl:1: not a ledger record/);
  });
});
