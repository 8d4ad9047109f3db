import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '@tplus/core';
import { snapshotMessage, type SnapshotMessage } from '../../server/src/registry/registry-wire.js';
import { keyId, sha256Hex } from '@tplus/core';
import { signFields } from '../../server/src/registry/server/sign-fields.js';
import { verifyAndBuild } from '../../server/src/sync/verify-snapshot.js';
import { startTestSidecar, type TestSidecar } from '../integration/sidecar-harness.js';
import { bundled } from '../support/bundled.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const ROUNDS = 8;

function signed(version: number, document: Buffer): SnapshotMessage {
  const fields = {
    version,
    parentVersion: version - 1,
    sha256: sha256Hex(document),
    author: 'a',
    reason: 'r',
    publishedAt: '2026-11-27T10:00:00.000Z',
    rollbackOf: 0,
  };
  return snapshotMessage({ ...fields, signature: signFields(fields, privateKey), keyId: keyId(privateKey), document });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe('an incoming snapshot is built once: the Ruleset verification built is the one swapped in', () => {
  let sidecar: TestSidecar;
  beforeAll(async () => {
    sidecar = await startTestSidecar();
  });
  afterAll(async () => {
    await sidecar.stop();
  });

  it('installs the verified Ruleset object itself; apply time (verify + store + swap) before/after is reported', () => {
    const document = Buffer.from(canonicalJson(bundled().pack.document), 'utf8');
    let version = 100;
    const apply = (reuse: boolean): number => {
      const s = signed(++version, document);
      const t0 = performance.now();
      const v = verifyAndBuild(s, publicKey, 'registry:test');
      const snapshot = reuse ? sidecar.handle.install(v.entry, v.ruleset) : sidecar.handle.install(v.entry);
      const ms = performance.now() - t0;
      expect(snapshot.active.ruleset.version).toBe(s.version);
      expect(snapshot.active.ruleset === v.ruleset).toBe(reuse);
      return ms;
    };
    apply(true); // warm-up
    apply(false);
    const rebuilt: number[] = [];
    const once: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      rebuilt.push(apply(false));
      once.push(apply(true));
    }
    console.log(
      `snapshot apply, bundled pack (median of ${ROUNDS}): built twice (before) ${median(rebuilt).toFixed(1)} ms, built once (after) ${median(once).toFixed(1)} ms`,
    );
    expect(median(once)).toBeLessThan(median(rebuilt));
  });
});
