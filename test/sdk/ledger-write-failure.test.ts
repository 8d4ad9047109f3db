import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSettlementClient,
  JsonlFileLedger,
  LedgerError,
  type AlertEvent,
  type LedgerEvent,
  type ProvisionalEntry,
} from '../../client-sdk/src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tplus-ledger-fail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REQ = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' } as const;
const entry = (id: string): ProvisionalEntry => ({
  id,
  request: REQ,
  provisionalDate: '2024-05-28',
  at: '2026-11-27T10:00:00.000Z',
  reason: 'UNAVAILABLE',
  status: 'open',
});

/** Waits, bounded in time and in polls, until `done()` holds. */
async function until(done: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1_000 && Date.now() < deadline; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);
beforeEach(() => {
  rejections.length = 0;
  process.on('unhandledRejection', onRejection);
});
afterEach(() => {
  process.off('unhandledRejection', onRejection);
});

describe('a ledger that cannot be written, behind a dead sidecar', () => {
  it('answers every call provisional, raises exactly the fallback alert and one ledger alert, throws nothing', async () => {
    const notADir = join(dir, 'file');
    writeFileSync(notADir, 'a regular file, so <file>/ledger.jsonl cannot be created, not even by root\n');
    const ledger = new JsonlFileLedger(join(notADir, 'ledger.jsonl'), { retryInitialMs: 10, retryMaxMs: 40 });
    const registry = new Registry();
    const alerts: AlertEvent[] = [];
    const client = createSettlementClient({
      address: `unix://${join(dir, 'nobody-listens.sock')}`,
      deadlineMs: 200,
      registry,
      ledger,
      onAlert: (a) => alerts.push(a),
    });
    try {
      const answers = [];
      for (let i = 0; i < 12; i++) answers.push(await client.getSettlementDateDetails(REQ));
      expect(answers.every((a) => a.source === 'fallback' && a.provisional && a.settlementDate === '2024-05-28')).toBe(true);
      expect(client.ledger.all()).toHaveLength(12);

      await expect(ledger.flush()).rejects.toMatchObject({ name: 'LedgerError', code: 'LEDGER_WRITE_FAILED' });
      // Let the retries fail several more times: still one ledger alert.
      await until(
        async () =>
          /^tplus_client_ledger_write_failures_total 4/m.test(await registry.metrics()) ||
          /^tplus_client_ledger_write_failures_total ([5-9]|\d\d)/m.test(await registry.metrics()),
        'four failed writes',
      );
      const metrics = await registry.metrics();
      expect(metrics).toMatch(/^tplus_client_ledger_pending_entries 12$/m);

      expect(alerts.map((a) => [a.kind, a.errorCode])).toEqual([
        ['fallback', 'UNAVAILABLE'],
        ['ledger', 'LEDGER_WRITE_FAILED'],
      ]);
      expect(alerts[1]?.message).toMatch(/ENOTDIR/);
      expect(alerts[1]?.message).toContain(join(notADir, 'ledger.jsonl'));
      expect(alerts[1]?.pendingEntries).toBeGreaterThanOrEqual(1);
    } finally {
      await client.close();
      await expect(ledger.close()).rejects.toBeInstanceOf(LedgerError);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(rejections).toEqual([]);
  });
});

describe('a disk that fills up mid-run', () => {
  it('keeps the entries in memory, writes them on retry once the path works (cutting off a half-written batch), and flush() then resolves with each entry once', async () => {
    const path = join(dir, 'ledger.jsonl');
    const ledger = new JsonlFileLedger(path, { retryInitialMs: 10, retryMaxMs: 40 });
    const events: LedgerEvent[] = [];
    ledger.watch((e) => events.push(e));
    ledger.record(entry('before-1'));
    ledger.record(entry('before-2'));
    await ledger.flush();

    // The path now leads to /dev/full: every write fails with ENOSPC, as on a full disk.
    renameSync(path, `${path}.real`);
    symlinkSync('/dev/full', path);
    ledger.record(entry('during-1'));
    ledger.record(entry('during-2'));
    ledger.resolve('before-1', { status: 'confirmed', serviceDate: '2024-05-28', reconciledAt: '2026-11-27T10:05:00.000Z' });
    await expect(ledger.flush()).rejects.toMatchObject({ code: 'LEDGER_WRITE_FAILED', pending: 3 });
    expect(ledger.pending).toBe(3);
    expect(ledger.all().map((e) => e.id)).toEqual(['before-1', 'before-2', 'during-1', 'during-2']);
    const failed = events.find((e) => e.type === 'writeFailed');
    expect(failed?.type === 'writeFailed' && failed.error.message).toMatch(/ENOSPC/);

    // As if a failed write had got half a batch out before the disk filled: the retry must cut it off.
    appendFileSync(`${path}.real`, '{"type":"provisional","entry":{"id":"during-1","requ');
    // Space again: the retry writes what was kept.
    rmSync(path);
    renameSync(`${path}.real`, path);
    ledger.record(entry('after-1'));
    await ledger.flush();
    expect(ledger.pending).toBe(0);
    expect(events.at(-1)?.type).toBe('writeRecovered');
    await ledger.close();

    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; id?: string; entry?: { id: string } });
    const ids = lines.filter((l) => l.type === 'provisional').map((l) => l.entry?.id);
    expect(ids).toEqual(['before-1', 'before-2', 'during-1', 'during-2', 'after-1']);
    expect(lines.filter((l) => l.type === 'resolved').map((l) => l.id)).toEqual(['before-1']);
    const reopened = new JsonlFileLedger(path);
    expect(reopened.all().map((e) => [e.id, e.status])).toEqual([
      ['before-1', 'confirmed'],
      ['before-2', 'open'],
      ['during-1', 'open'],
      ['during-2', 'open'],
      ['after-1', 'open'],
    ]);
    await reopened.close();
    expect(rejections).toEqual([]);
  });
});

describe('a ledger queue past its backlogThreshold', () => {
  it('still answers provisional, raises one LEDGER_BACKLOG alert, drops nothing and writes every entry', async () => {
    const path = join(dir, 'backlog.jsonl');
    const ledger = new JsonlFileLedger(path, { backlogThreshold: 3 });
    const alerts: AlertEvent[] = [];
    const client = createSettlementClient({
      address: `unix://${join(dir, 'nobody-listens.sock')}`,
      deadlineMs: 200,
      ledger,
      onAlert: (a) => alerts.push(a),
    });
    try {
      // One batch falls back item by item in one synchronous loop: 6 entries queue before the writer runs.
      const results = await client.getSettlementDates(Array.from({ length: 6 }, () => REQ));
      expect(results.every((r) => r.ok && r.value.source === 'fallback')).toBe(true);
      await ledger.flush();
      expect(alerts.map((a) => [a.kind, a.errorCode, a.pendingEntries])).toEqual([
        ['fallback', 'UNAVAILABLE', undefined],
        ['ledger', 'LEDGER_BACKLOG', 3],
      ]);
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(6);
    } finally {
      await client.close();
      await ledger.close();
    }
    expect(rejections).toEqual([]);
  });
});
