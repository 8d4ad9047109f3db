import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryStore } from '../../server/src/registry/server/registry-store.js';
import { keyId, sha256Hex } from '@tplus/core';
import { signFields } from '../../server/src/registry/server/sign-fields.js';
import type { VersionRecord } from '../../server/src/registry/version-record.js';
import type { NewVersion } from '../../server/src/registry/server/registry-backend.js';
import { tempDir } from '../integration/sidecar-harness.js';

const { privateKey } = generateKeyPairSync('ed25519');

function record(version: number, body: string): VersionRecord {
  const document = Buffer.from(body);
  const fields = {
    version,
    parentVersion: version - 1,
    sha256: sha256Hex(document),
    author: 'a',
    reason: 'r',
    publishedAt: '2026-11-27T10:00:00.000Z',
    rollbackOf: 0,
  };
  return { ...fields, signature: signFields(fields, privateKey), keyId: keyId(privateKey), document };
}

/** A version with the audit row the store commits in the same transaction. */
function withAudit(r: VersionRecord): NewVersion {
  return {
    record: r,
    audit: { at: 'now', who: 'publish', action: 'Publish:commit', detail: `created version ${r.version}`, result: 'ok' },
  };
}

describe('registry store: append-only', () => {
  const dir = tempDir('tplus-reg-store-');
  const file = join(dir.path, 'registry.db');
  afterAll(() => dir.remove());

  it('uses WAL with synchronous=FULL, and appends versions in order', () => {
    const store = RegistryStore.open(file);
    store.append(() => withAudit(record(1, '{"a":1}')));
    store.append(() => withAudit(record(2, '{"a":2}')));
    store.audit({ at: 'now', who: 'publish', action: 'Publish', detail: '', result: 'ok' });
    expect(store.list().map((v) => v.version)).toEqual([2, 1]);
    store.close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses every UPDATE and DELETE of versions and audit rows, even through raw SQL', () => {
    const db = new Database(file);
    try {
      expect(() => db.prepare("UPDATE versions SET reason = 'rewritten' WHERE version = 1").run()).toThrow(/append-only: UPDATE refused/);
      expect(() => db.prepare('DELETE FROM versions WHERE version = 2').run()).toThrow(/append-only: DELETE refused/);
      expect(() => db.prepare('DELETE FROM versions').run()).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE audit SET who = 'nobody'").run()).toThrow(/append-only: UPDATE refused/);
      expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only: DELETE refused/);
      expect(db.prepare('SELECT count(*) AS n FROM versions').get()).toEqual({ n: 2 });
      expect(db.prepare('SELECT reason FROM versions WHERE version = 1').get()).toEqual({ reason: 'r' });
      expect(db.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 3 });
    } finally {
      db.close();
    }
  });

  it('refuses a version that is not exactly the next one, or names the wrong parent', () => {
    const store = RegistryStore.open(file);
    try {
      expect(() => store.append(() => withAudit(record(5, '{"a":5}')))).toThrow(/appended in order/);
      expect(() => store.append(() => withAudit({ ...record(3, '{"a":3}'), parentVersion: 1 }))).toThrow(/appended in order/);
      expect(() => store.append(() => withAudit(record(2, '{"a":9}')))).toThrow();
      expect(store.latest()?.version).toBe(2);
    } finally {
      store.close();
    }
  });
});
