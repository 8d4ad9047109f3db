import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSettlementClient,
  createShadow,
  JsonlFileLedger,
  type Disagreement,
  type ProvisionalEntry,
  type SettlementClient,
} from '../../client-sdk/src/index.js';
import { closedPort } from '../support/free-port.js';
import { SidecarProcess } from '../support/sidecar-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tplus-sdk-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (id: string, date: string): ProvisionalEntry => ({
  id,
  request: { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' },
  provisionalDate: date,
  at: '2026-11-27T10:00:00.000Z',
  reason: 'UNAVAILABLE',
  status: 'open',
});

describe('JsonlFileLedger: append-only, replayed on open', () => {
  it('keeps entries and resolutions across a reopen, resolves once, and never rewrites a line', async () => {
    const path = join(dir, 'ledger.jsonl');
    const a = new JsonlFileLedger(path);
    a.record(entry('e1', '2024-05-28'));
    a.record(entry('e2', '2024-05-28'));
    a.record(entry('e1', '2099-01-01')); // same id again: ignored
    a.resolve('e1', {
      status: 'corrected',
      serviceDate: '2024-05-29',
      ruleId: 'us-equity-xnys-t2',
      rulesetVersion: 1,
      reconciledAt: '2026-11-27T10:05:00.000Z',
    });
    a.resolve('e1', { status: 'confirmed', reconciledAt: '2026-11-27T10:06:00.000Z' }); // already resolved: no-op
    await a.flush();
    const before = readFileSync(path, 'utf8');
    expect(before.trim().split('\n')).toHaveLength(3);

    const b = new JsonlFileLedger(path);
    expect(b.all().map((e) => [e.id, e.status, e.provisionalDate, e.serviceDate])).toEqual([
      ['e1', 'corrected', '2024-05-28', '2024-05-29'],
      ['e2', 'open', '2024-05-28', undefined],
    ]);
    expect(b.open().map((e) => e.id)).toEqual(['e2']);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('cuts off a torn last line (a crash mid-append) but refuses corruption elsewhere', async () => {
    const torn = join(dir, 'torn.jsonl');
    const first = new JsonlFileLedger(torn);
    first.record(entry('t1', '2024-05-28'));
    await first.close();
    appendFileSync(torn, '{"type":"provisional","entry":{"id":"t2"');
    expect(new JsonlFileLedger(torn).all().map((e) => e.id)).toEqual(['t1']);
    expect(readFileSync(torn, 'utf8').endsWith('\n')).toBe(true);

    const bad = join(dir, 'bad.jsonl');
    appendFileSync(bad, 'garbage\n');
    appendFileSync(bad, `${JSON.stringify({ type: 'provisional', entry: entry('b1', '2024-05-28') })}\n`);
    expect(() => new JsonlFileLedger(bad)).toThrow(/bad\.jsonl:1: not a JSON line/);
  });
});

describe('shadow mode against a real sidecar', () => {
  const sidecar = new SidecarProcess(join(dir, 'shadow-data'), join(dir, 'shadow.sock'));
  let client: SettlementClient;

  beforeAll(async () => {
    await sidecar.start();
    client = createSettlementClient({ address: sidecar.address, deadlineMs: 2_000 });
  });

  afterAll(async () => {
    await client.close();
    await sidecar.stop('SIGTERM');
  });

  it('returns the legacy answer, records every disagreement with the rule, and summarises by key', async () => {
    // Legacy code hard-coded T+2 over weekends, forever: wrong after the 2024-05-28 cutover and on holidays.
    const legacy = (req: { tradeDate: string }): string =>
      ({ '2024-05-23': '2024-05-27', '2024-05-24': '2024-05-28', '2024-06-03': '2024-06-05', '2023-03-01': '2023-03-03' })[req.tradeDate] ??
      'unknown';
    const sink: Disagreement[] = [];
    const shadow = createShadow({ legacy, client, sink: (d) => sink.push(d), maxExamples: 2 });
    const asks = ['2024-05-23', '2024-05-24', '2024-06-03', '2023-03-01'].map((tradeDate) => ({
      tradeDate,
      assetClass: 'EQUITY',
      market: 'XNYS',
    }));
    const answers = [];
    for (const a of asks) answers.push(await shadow.getSettlementDate(a));
    expect(answers).toEqual(['2024-05-27', '2024-05-28', '2024-06-05', '2023-03-03']);
    expect(sink.map((d) => [d.request.tradeDate, d.legacy, d.service, d.ruleId])).toEqual([
      ['2024-05-23', '2024-05-27', '2024-05-28', 'us-equity-xnys-t2'], // Memorial Day
      ['2024-05-24', '2024-05-28', '2024-05-29', 'us-equity-xnys-t2'],
      ['2024-06-03', '2024-06-05', '2024-06-04', 'us-equity-xnys-t1'], // T+1 since 2024-05-28
    ]);
    expect(shadow.summary()).toMatchObject({ calls: 4, agreed: 1, disagreed: 3, notCompared: 0, byKey: { 'XNYS EQUITY': 3 } });
    expect(shadow.summary().examples).toHaveLength(2);
  });

  it('does not count an unreachable service as a disagreement', async () => {
    const down = createSettlementClient({ address: `127.0.0.1:${await closedPort()}`, deadlineMs: 200 });
    try {
      const shadow = createShadow({ legacy: () => '2024-05-28', client: down });
      expect(await shadow.getSettlementDate({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' })).toBe('2024-05-28');
      expect(shadow.summary()).toMatchObject({ calls: 1, agreed: 0, disagreed: 0, notCompared: 1 });
    } finally {
      await down.close();
    }
  });
});

describe('the package entry point', () => {
  it.each([
    ['require', `const s = require('@tplus/client-sdk'); console.log(typeof s.createSettlementClient, typeof s.SettlementError)`, []],
    ['import', `import('@tplus/client-sdk').then((s) => console.log(typeof s.createSettlementClient, typeof s.SettlementError))`, []],
  ])('works from %s', (_kind, code) => {
    expect(execFileSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' })).toBe('function function\n');
  });
});
