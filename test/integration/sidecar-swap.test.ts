import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RulesetDocument } from '@tplus/core';
import { rulesetHash } from '@tplus/core';
import type { StoredRuleset } from '../../server/src/store/stored-ruleset.js';
import { bundled, BUNDLED_VERSION } from '../support/bundled.js';
import { errorReport, startTestSidecar, tempDir, TestClient, type Message, type TestSidecar } from './sidecar-harness.js';

/** The bundled document with the XNYS T+1 rule turned into T+`cycle` (an obvious, checkable change). */
function variant(version: number, cycle: number): StoredRuleset {
  const base = bundled().pack.document as RulesetDocument;
  const document: RulesetDocument = {
    ...base,
    rules: base.rules.map((r) => (r.id === 'us-equity-xnys-t1' ? { ...r, cycleDays: cycle } : r)),
  };
  return { version, hash: rulesetHash(document), source: 'test-registry', publishedAt: '2026-11-27T10:00:00.000Z', document };
}

/**
 * The sidecar seeds the bundled pack as BUNDLED_VERSION; the versions installed here follow it. Trade
 * 2024-06-03 (Monday) settles T+1 → 06-04 in the seed and every version an even number of steps after
 * it, and T+3 → 06-06 in those an odd number of steps after it.
 */
const cycleFor = (version: number): number => ((version - BUNDLED_VERSION) % 2 === 1 ? 3 : 1);
const settlementFor = (version: number): string => (cycleFor(version) === 3 ? '2024-06-06' : '2024-06-04');
const TRADE = { tradeDate: '2024-06-03', assetClass: 'EQUITY', market: 'XNYS' };

describe('atomic ruleset swap', () => {
  const data = tempDir('tplus-swap-');
  let sidecar: TestSidecar;
  let client: TestClient;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ keepVersions: 3, dataDir: data.path });
    client = new TestClient(sidecar.addresses.unix);
  });
  afterAll(async () => {
    client.close();
    await sidecar.stop();
    data.remove();
  });

  it('no batch ever mixes two versions while versions are swapped under load', async () => {
    let installing = true;
    let next = BUNDLED_VERSION + 1;
    const swapper = (async () => {
      while (installing && next <= BUNDLED_VERSION + 39) {
        sidecar.handle.install(variant(next, cycleFor(next)));
        next++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const batches: Message[][] = [];
    const loaders = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 15; i++) {
        const res = await client.call<{ results: Message[] }>('BatchGetSettlementDates', {
          items: Array.from({ length: 500 }, () => TRADE),
        });
        batches.push(res.results.map((r) => r['decision'] as Message));
      }
    });
    await Promise.all(loaders);
    installing = false;
    await swapper;
    const seen = new Set<number>();
    for (const decisions of batches) {
      const versions = new Set(decisions.map((d) => d['rulesetVersion'] as number));
      expect(versions.size).toBe(1);
      const [version] = [...versions] as [number];
      seen.add(version);
      expect(new Set(decisions.map((d) => d['settlementDate']))).toEqual(new Set([settlementFor(version)]));
    }
    expect(seen.size).toBeGreaterThan(1);
  }, 60_000);

  it('keeps the last N versions for pinned requests, refuses older ones, and reports them', async () => {
    const active = sidecar.handle.current().active.ruleset.version;
    const info = await client.call<Message>('GetRulesetInfo', {});
    expect(info['rulesetVersion']).toBe(active);
    expect((info['heldVersions'] as Message[]).map((h) => h['rulesetVersion'])).toEqual([active, active - 1, active - 2]);
    const pinned = await client.call<Message>('GetSettlementDate', { ...TRADE, rulesetVersion: active - 1 });
    expect(pinned).toMatchObject({ rulesetVersion: active - 1, settlementDate: settlementFor(active - 1) });
    // The bundled seed is older than the last N.
    expect(active - 2).toBeGreaterThan(BUNDLED_VERSION);
    const gone = errorReport(await client.failure('GetSettlementDate', { ...TRADE, rulesetVersion: BUNDLED_VERSION }));
    expect(gone.reason).toBe('VERSION_NOT_HELD');
  });

  it('serves the same active version from its SQLite copy after a restart', async () => {
    const active = sidecar.handle.current().active.ruleset.version;
    await sidecar.handle.close();
    const again = await startTestSidecar({ keepVersions: 3, dataDir: data.path });
    try {
      expect(again.handle.current().active.ruleset.version).toBe(active);
      expect([...again.handle.current().held.keys()]).toEqual([active, active - 1, active - 2]);
      expect(again.logs.find((l) => String(l['event']).startsWith('ruleset_'))).toMatchObject({ event: 'ruleset_not_bundled' });
    } finally {
      await again.stop();
    }
  });
});

describe('start-up without a usable ruleset', () => {
  it('fails with a clear message when the store is empty and the rule pack does not compile', async () => {
    const pack = tempDir('tplus-badpack-');
    try {
      await expect(startTestSidecar({ rulesDir: pack.path })).rejects.toThrow(/no usable ruleset in .*rulesets\.db/);
    } finally {
      pack.remove();
    }
  });
});
