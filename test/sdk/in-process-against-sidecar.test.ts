/**
 * Issue 14: the in-process client against a real sidecar process — kill -9 (answers go on, stale, no
 * fallback, one staleness alert), restart (fresh again), and a cold start with the sidecar down
 * (provisional T+2 and the ledger, as in RPC mode).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createSettlementClient, SettlementError, type AlertEvent, type InProcessSettlementClient } from '../../client-sdk/src/index.js';
import { SidecarProcess } from '../support/sidecar-process.js';

const REQ = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' } as const;
const MAX_STALENESS_MS = 1_500;
const dir = mkdtempSync(join(tmpdir(), 'tplus-inproc-'));
const sidecar = new SidecarProcess(join(dir, 'data'), join(dir, 's.sock'));
const clients: InProcessSettlementClient[] = [];

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function metric(registry: Registry, name: string): Promise<number | undefined> {
  return (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;
}

function inProcess(registry: Registry, alerts: AlertEvent[]): InProcessSettlementClient {
  const c = createSettlementClient({
    address: sidecar.address,
    mode: 'in-process',
    registry,
    maxStalenessMs: MAX_STALENESS_MS,
    onAlert: (a) => alerts.push(a),
  });
  clients.push(c);
  return c;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sidecar.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('in-process client against a real sidecar process', () => {
  it('kill -9: answers continue from the last synced version, stale, with zero fallbacks and one staleness alert; restart: fresh again', async () => {
    await sidecar.start();
    const registry = new Registry();
    const alerts: AlertEvent[] = [];
    const client = inProcess(registry, alerts);
    await client.ready({ timeoutMs: 10_000 });
    const live = client.decideSync(REQ);
    expect(live).toMatchObject({
      settlementDate: '2024-05-29',
      source: 'in-process',
      provisional: false,
      stale: false,
      ruleId: 'us-equity-xnys-t2',
    });
    let fallbacks = 0;
    client.on('fallback', () => fallbacks++);

    await sidecar.stop('SIGKILL');
    const killedAt = Date.now(); // the process is gone: nothing it sent can be newer
    // The stream breaks (or three heartbeats are missed): the client is stale; answers never stop meanwhile.
    const answers: string[] = [];
    await until(
      async () => {
        const d = await client.getSettlementDateDetails(REQ);
        answers.push(`${d.source}:${d.settlementDate}`);
        return d.stale === true;
      },
      10_000,
      'stale answers',
    );
    expect(new Set(answers)).toEqual(new Set(['in-process:2024-05-29']));
    const stale = client.decideSync(REQ);
    expect(stale).toMatchObject({
      settlementDate: '2024-05-29',
      source: 'in-process',
      provisional: false,
      stale: true,
      rulesetVersion: live.rulesetVersion,
    });
    // syncedAt: the sidecar's last confirmation, before the kill.
    expect(Date.parse(stale.syncedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(live.syncedAt ?? ''));
    expect(Date.parse(stale.syncedAt ?? '')).toBeLessThanOrEqual(killedAt);
    await until(() => alerts.some((a) => a.kind === 'stale'), MAX_STALENESS_MS + 5_000, 'the staleness alert');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(alerts.map((a) => `${a.kind}:${a.errorCode}`)).toEqual(['stale:RULESET_STALE']);
    expect(fallbacks).toBe(0);
    expect(client.ledger.all()).toEqual([]);
    expect(await metric(registry, 'tplus_client_ruleset_staleness_seconds')).toBeGreaterThan(MAX_STALENESS_MS / 1000);

    await sidecar.start();
    await until(() => client.decideSync(REQ).stale === false, 10_000, 'fresh answers after the restart');
    expect(await metric(registry, 'tplus_client_ruleset_staleness_seconds')).toBeLessThan(3);
    expect(await metric(registry, 'tplus_client_in_process_answers_total')).toBeGreaterThan(answers.length);
  });

  it('cold start with the sidecar down: provisional T+2 answers recorded in the ledger; decideSync says NOT_READY; then the sync takes over', async () => {
    await sidecar.stop('SIGKILL');
    const alerts: AlertEvent[] = [];
    const client = inProcess(new Registry(), alerts);
    await expect(client.ready({ timeoutMs: 300 })).rejects.toMatchObject({ name: 'SettlementError', reason: 'DEADLINE_EXCEEDED' });
    const d = await client.getSettlementDateDetails(REQ);
    expect(d).toMatchObject({ settlementDate: '2024-05-28', source: 'fallback', provisional: true, errorCode: 'NOT_SYNCED' });
    expect(client.ledger.open().map((e) => [e.id, e.provisionalDate])).toEqual([[d.ledgerId, '2024-05-28']]);
    expect(alerts.map((a) => a.kind)).toEqual(['fallback']);
    const err = (() => {
      try {
        client.decideSync(REQ);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(SettlementError);
    expect(err).toMatchObject({ reason: 'NOT_READY' });

    await sidecar.start();
    await client.ready({ timeoutMs: 10_000 });
    expect(await client.getSettlementDateDetails(REQ)).toMatchObject({ settlementDate: '2024-05-29', source: 'in-process', stale: false });
    expect(await client.reconcile()).toMatchObject({ checked: 1, corrected: 1, remaining: 0 });
  });
});
