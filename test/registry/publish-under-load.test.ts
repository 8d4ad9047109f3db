import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { PublishResponseMessage, SnapshotMessage } from '../../server/src/registry/registry-wire.js';
import { readPublicKey } from '../../server/src/registry/signing-keys.js';
import { verifyAndBuild } from '../../server/src/sync/verify-snapshot.js';
import type { Ruleset } from '@tplus/core';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { followerArgs, PUBLISH_TOKEN, READ_TOKEN, registryArgs, registryFixture } from './registry-harness.js';
import { packFiles, registryClient, unary, withClosure } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';

const RATE_PER_S = 1_000;
const LOAD_MS = 5_000;
const TICK_MS = 10;
const PUBLISH_AT_MS = 2_000;
const MARKETS = ['XNYS', 'XNAS', 'XTSE', 'XLON', 'XETR', 'XPAR'];
/** The trades asked, round robin: XNYS 2030-03-12 is the one the published closure changes. */
const TRADES = ['2030-03-12', '2030-03-11', '2030-03-13', '2029-12-24', '2030-07-03'].flatMap((tradeDate) =>
  MARKETS.map((market) => ({ tradeDate, assetClass: 'EQUITY', market, allowNonTradingDay: true })),
);

interface Answer {
  readonly settlementDate: string;
  readonly rulesetVersion: number;
  readonly rulesetHash: string;
}

describe('a publish under ~1,000 req/s of load against a following sidecar', () => {
  const fx = registryFixture();
  const procs: TplusProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    fx.remove();
  });

  it('no request fails and every answer comes from exactly one version', async () => {
    buildServer();
    const socket = join(fx.dir, 'registry.sock');
    const registry = spawnTplus(registryArgs(fx, `unix:${socket}`, ['--metrics-listen', 'off', '--heartbeat-ms', '500']));
    procs.push(registry);
    await registry.waitFor('registry_serving');
    const publisher = registryClient(`unix:${socket}`);
    const base = packFiles(RULES_DIR);
    await unary(publisher, 'Publish', { files: base, reason: 'initial', author: 'test' }, PUBLISH_TOKEN);
    const dir = join(fx.dir, 'sidecar');
    const sidecar = spawnTplus(followerArgs(fx, `unix:${socket}`, dir, ['--metrics-listen', 'off']));
    procs.push(sidecar);
    await sidecar.waitFor('serving');
    const client = new TestClient(`unix://${join(dir, 's.sock')}`);
    const answers: { answer: Answer; trade: (typeof TRADES)[number]; sentAt: number; receivedAt: number }[] = [];
    const failures: string[] = [];
    let sent = 0;
    let published: PublishResponseMessage | null = null;
    const started = performance.now();
    try {
      const inFlight = new Set<Promise<void>>();
      const ticks = LOAD_MS / TICK_MS;
      for (let tick = 0; tick < ticks; tick++) {
        if (tick === PUBLISH_AT_MS / TICK_MS) {
          void unary<PublishResponseMessage>(
            publisher,
            'Publish',
            { files: withClosure(base, '2030-03-13'), reason: 'closure under load', author: 'test' },
            PUBLISH_TOKEN,
          ).then((r) => (published = r));
        }
        for (let k = 0; k < (RATE_PER_S * TICK_MS) / 1_000; k++) {
          const trade = TRADES[sent % TRADES.length] as (typeof TRADES)[number];
          sent++;
          const sentAt = performance.now();
          const p: Promise<void> = client.call<Answer>('GetSettlementDate', trade, 5_000).then(
            (answer) => void answers.push({ answer, trade, sentAt, receivedAt: performance.now() }),
            (e: ServiceError) => void failures.push(`${e.code} ${e.details}`),
          );
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
        const next = started + (tick + 1) * TICK_MS;
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      }
      await Promise.all(inFlight);
      // The version replaced is still held for ruleset_version-pinned requests.
      const pinned = await client.call<Answer>('GetSettlementDate', {
        tradeDate: '2030-03-12',
        assetClass: 'EQUITY',
        market: 'XNYS',
        rulesetVersion: 1,
      });
      expect(pinned).toMatchObject({ settlementDate: '2030-03-13', rulesetVersion: 1 });
      expect(
        await client.call<Answer>('GetSettlementDate', { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' }),
      ).toMatchObject({ settlementDate: '2030-03-14', rulesetVersion: 2 });
    } finally {
      client.close();
    }
    const elapsed = performance.now() - started;
    expect(failures).toEqual([]);
    expect(published).not.toBeNull();
    // The two versions as the registry holds them, verified and built here: the reference answers.
    const publicKey = readPublicKey(fx.keys.publicKeyFile);
    const byHash = new Map<string, Ruleset>();
    for (const version of [1, 2]) {
      const s = await unary<SnapshotMessage>(publisher, 'GetVersion', { version }, READ_TOKEN);
      byHash.set(s.sha256, verifyAndBuild(s, publicKey, 'test').ruleset);
    }
    publisher.close();
    let wrong = 0;
    const seen = new Map<number, number>();
    for (const { answer, trade } of answers) {
      const ruleset = byHash.get(answer.rulesetHash);
      if (
        ruleset === undefined ||
        ruleset.version !== answer.rulesetVersion ||
        ruleset.decide(trade.tradeDate, trade.assetClass, trade.market, true).settlementDate !== answer.settlementDate
      )
        wrong++;
      seen.set(answer.rulesetVersion, (seen.get(answer.rulesetVersion) ?? 0) + 1);
    }
    // Once one answer from version 2 has arrived, no request sent after it is answered from version 1.
    const firstNew = Math.min(...answers.filter((a) => a.answer.rulesetVersion === 2).map((a) => a.receivedAt));
    const staleAfterSwap = answers.filter((a) => a.answer.rulesetVersion === 1 && a.sentAt > firstNew).length;
    console.log(
      `publish under load: ${answers.length} answers in ${Math.round(elapsed)} ms (${Math.round((answers.length / elapsed) * 1000)} req/s), ` +
        `${failures.length} failed; version 1: ${seen.get(1) ?? 0}, version 2: ${seen.get(2) ?? 0}; ${wrong} not matching their version's decision`,
    );
    expect(answers.length).toBe(sent);
    expect(wrong).toBe(0);
    expect([...seen.keys()].sort()).toEqual([1, 2]);
    expect(staleAfterSwap).toBe(0);
  }, 60_000);
});
