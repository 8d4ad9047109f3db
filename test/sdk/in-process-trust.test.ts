/**
 * Issue 14: with `trust.publicKeys`, an in-process client answers only from versions signed by a
 * trusted registry key; an unsigned or wrongly signed version sent by the sidecar is refused, counted
 * and alerted, and the last good version keeps answering. Real sidecar, real WatchRuleset stream.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, keyId, rulesetHash, sha256Hex, type RulesetDocument } from '@tplus/core';
import {
  createSettlementClient,
  type AlertEvent,
  type InProcessSettlementClient,
  type RulesetRejectedEvent,
} from '../../client-sdk/src/index.js';
import { RulesetRejected, verifyRuleset, type ActivatedRulesetMessage } from '../../client-sdk/src/internal/verify-ruleset.js';
import { signFields } from '../../server/src/registry/server/sign-fields.js';
import type { StoredRuleset } from '../../server/src/store/stored-ruleset.js';
import { startTestSidecar, type TestSidecar } from '../integration/sidecar-harness.js';
import { bundled } from '../support/bundled.js';

const trusted = generateKeyPairSync('ed25519');
const rogue = generateKeyPairSync('ed25519');
const REQ = { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' } as const;

/** The bundled pack with the XNYS T+1 rule set to `cycle` days, as version `version`, signed by `key` (or unsigned). */
function version(v: number, cycle: number, key: KeyObject | null): StoredRuleset {
  const base = bundled().pack.document as RulesetDocument;
  const document = { ...base, rules: base.rules.map((r) => (r.id === 'us-equity-xnys-t1' ? { ...r, cycleDays: cycle } : r)) };
  const hash = rulesetHash(document);
  const fields = {
    version: v,
    parentVersion: v - 1,
    sha256: hash,
    author: 'ops',
    reason: `cycle ${cycle}`,
    publishedAt: '2026-11-27T10:00:00.000Z',
    rollbackOf: 0,
  };
  const signed =
    key === null
      ? {}
      : {
          signed: {
            parentVersion: v - 1,
            author: 'ops',
            reason: fields.reason,
            rollbackOf: 0,
            signature: signFields(fields, key),
            keyId: keyId(key),
          },
        };
  return { version: v, hash, source: 'registry:test', publishedAt: fields.publishedAt, document, ...signed };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('in-process trust: only versions signed by a trusted key answer', () => {
  let sidecar: TestSidecar;
  const clients: InProcessSettlementClient[] = [];
  beforeAll(async () => {
    sidecar = await startTestSidecar();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sidecar.stop();
  });

  it('refuses the unsigned bundled pack, then answers from a trusted version, and keeps it when a wrongly signed one follows', async () => {
    const registry = new Registry();
    const alerts: AlertEvent[] = [];
    const rejected: RulesetRejectedEvent[] = [];
    const client = createSettlementClient({
      address: sidecar.addresses.unix,
      mode: 'in-process',
      registry,
      trust: { publicKeys: [trusted.publicKey.export({ type: 'spki', format: 'pem' }).toString()] },
      onAlert: (a) => alerts.push(a),
    });
    clients.push(client);
    client.on('rulesetRejected', (e) => rejected.push(e));
    await until(() => rejected.length === 1, 10_000, 'the bundled pack to be refused');
    expect(rejected[0]).toMatchObject({ reason: 'missing_signature', keptVersion: 0 });
    await expect(client.ready({ timeoutMs: 200 })).rejects.toMatchObject({ reason: 'DEADLINE_EXCEEDED' });

    const base = sidecar.handle.current().active.ruleset.version;
    const good = version(base + 1, 1, trusted.privateKey);
    sidecar.handle.install(good);
    await client.ready({ timeoutMs: 10_000 });
    expect(client.decideSync(REQ)).toMatchObject({ settlementDate: '2024-05-29', rulesetVersion: good.version, rulesetHash: good.hash });

    sidecar.handle.install(version(base + 2, 3, rogue.privateKey));
    await until(() => rejected.length === 2, 10_000, 'the rogue version to be refused');
    expect(rejected[1]).toMatchObject({ version: base + 2, reason: 'bad_signature', keptVersion: good.version });
    expect(client.decideSync(REQ)).toMatchObject({ settlementDate: '2024-05-29', rulesetVersion: good.version });
    // The sidecar itself serves the rogue version: the client does not follow it.
    expect(sidecar.handle.current().active.ruleset.version).toBe(base + 2);
    expect(alerts.map((a) => `${a.kind}:${a.errorCode}`)).toEqual(['ruleset:MISSING_SIGNATURE', 'ruleset:BAD_SIGNATURE']);
    const counted = (await registry.getMetricsAsJSON())
      .find((m) => m.name === 'tplus_client_ruleset_rejected_total')
      ?.values.filter((v) => v.value > 0);
    expect(counted?.map((v) => [v.labels['reason'], v.value])).toEqual([
      ['missing_signature', 1],
      ['bad_signature', 1],
    ]);
  });

  it("without trust.publicKeys, still checks every version's sha256 (a tampered document is refused as bad_hash)", () => {
    const v = version(9, 2, trusted.privateKey);
    const document = Buffer.from(canonicalJson(v.document), 'utf8');
    const message: ActivatedRulesetMessage = {
      rulesetVersion: 9,
      sha256: v.hash,
      document,
      signature: v.signed?.signature ?? Buffer.alloc(0),
      keyId: v.signed?.keyId ?? '',
      source: 'test',
      activatedAt: '2026-11-27T10:00:00.000Z',
      parentVersion: 8,
      author: 'ops',
      reason: 'cycle 2',
      publishedAt: v.publishedAt,
      rollbackOf: 0,
    };
    expect(verifyRuleset(message, [trusted.publicKey]).ruleset.version).toBe(9);
    const tampered = Buffer.from(document);
    tampered[tampered.indexOf('"cycleDays":2') + 12] = 0x33; // 2 → 3
    const reasonOf = (m: ActivatedRulesetMessage, keys: KeyObject[]): string => {
      try {
        verifyRuleset(m, keys);
        return 'accepted';
      } catch (e) {
        return e instanceof RulesetRejected ? e.reason : 'threw';
      }
    };
    expect(reasonOf({ ...message, document: tampered }, [])).toBe('bad_hash');
    expect(reasonOf({ ...message, document: tampered }, [trusted.publicKey])).toBe('bad_hash');
    expect(reasonOf({ ...message, reason: 'changed' }, [trusted.publicKey])).toBe('bad_signature');
    expect(reasonOf({ ...message, reason: 'changed' }, [])).toBe('accepted');
    const pretty = Buffer.from(JSON.stringify(v.document, null, 1));
    expect(reasonOf({ ...message, document: pretty, sha256: sha256Hex(pretty) }, [])).toBe('non_canonical');
  });
});
