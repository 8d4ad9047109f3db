import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RulesetDocument } from '@tplus/core';
import { rulesetHash } from '@tplus/core';
import { buildSnapshot } from '../../server/src/store/ruleset-snapshot.js';
import { RulesetStore } from '../../server/src/store/ruleset-store.js';
import { STORE_SCHEMA_VERSION } from '../../server/src/store/store-schema.js';
import type { StoredRuleset } from '../../server/src/store/stored-ruleset.js';
import { syncBundledPack } from '../../server/src/store/sync-bundled-pack.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { bundled, BUNDLED_VERSION, RULES_DIR, TODAY } from '../support/bundled.js';

const NOW = '2026-11-27T09:30:00.000Z';
let dir: ReturnType<typeof tempDir>;
let file: string;
let stores: RulesetStore[] = [];

function open(keepVersions = 5): RulesetStore {
  const store = RulesetStore.open(file, { keepVersions, now: () => NOW });
  stores.push(store);
  return store;
}

function entry(version: number, cycle = 1, source = 'registry:test'): StoredRuleset {
  const base = bundled().pack.document as RulesetDocument;
  const document = { ...base, rules: base.rules.map((r) => (r.id === 'us-equity-xnys-t1' ? { ...r, cycleDays: cycle } : r)) };
  return { version, hash: rulesetHash(document), source, publishedAt: NOW, document };
}

beforeEach(() => {
  dir = tempDir('tplus-store-');
  file = join(dir.path, 'rulesets.db');
});
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
  dir.remove();
});

describe('RulesetStore (a real SQLite file)', () => {
  it('uses WAL and records the schema version', () => {
    open();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(STORE_SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('keeps the newest N versions plus the active one', () => {
    const store = open(3);
    store.add(entry(1, 1), true);
    for (let v = 2; v <= 7; v++) store.add(entry(v, v), false);
    expect(store.rows().map((r) => r.version)).toEqual([7, 6, 5, 1]);
    expect(store.activeVersion()).toBe(1);
    store.activate(7);
    store.add(entry(8, 8), false);
    expect(store.rows().map((r) => r.version)).toEqual([8, 7, 6]);
  });

  it('is idempotent for the same version and hash, and refuses a different hash for a stored version', () => {
    const store = open();
    store.add(entry(1, 1), true);
    store.add(entry(1, 1), true);
    expect(store.rows()).toHaveLength(1);
    expect(() => store.add(entry(1, 2), true)).toThrow(/version 1 is already stored with hash/);
    expect(store.rows()[0]?.hash).toBe(entry(1, 1).hash);
  });

  it('survives reopening: versions, documents and the active pointer', () => {
    const store = open();
    store.add(entry(4, 1), true);
    store.add(entry(5, 3), false);
    store.close();
    const again = open();
    expect(again.activeVersion()).toBe(4);
    const built = buildSnapshot(again.rows(), {
      activeVersion: again.activeVersion(),
      lastActivatedVersion: again.highestActivated(),
      loadedAt: NOW,
    });
    expect(built.rejected).toEqual([]);
    expect(built.snapshot?.active.ruleset.version).toBe(4);
    expect(built.snapshot?.held.get(5)?.ruleset.decide('2024-06-03', 'EQUITY', 'XNYS').settlementDate).toBe('2024-06-06');
  });

  it('upgrades a schema 1 copy in place: versions kept, unsigned, the active one recorded as the highest activated', () => {
    const db = new Database(file);
    db.exec(`CREATE TABLE ruleset_versions (version INTEGER PRIMARY KEY CHECK (version > 0), hash TEXT NOT NULL CHECK (length(hash) = 64),
               source TEXT NOT NULL, published_at TEXT NOT NULL, stored_at TEXT NOT NULL, document TEXT NOT NULL) STRICT;
             CREATE TABLE sidecar_state (id INTEGER PRIMARY KEY CHECK (id = 1), active_version INTEGER NOT NULL REFERENCES ruleset_versions (version)) STRICT;
             PRAGMA user_version = 1;`);
    const e = entry(3);
    db.prepare('INSERT INTO ruleset_versions VALUES (?, ?, ?, ?, ?, ?)').run(3, e.hash, e.source, NOW, NOW, JSON.stringify(e.document));
    db.prepare('INSERT INTO sidecar_state VALUES (1, 3)').run();
    db.close();
    const store = open();
    expect(store.rows().map((r) => [r.version, r.hash, r.signed])).toEqual([[3, e.hash, null]]);
    expect([store.activeVersion(), store.highestActivated()]).toEqual([3, 3]);
  });

  it('quarantines a version: moved aside with its reason, the active pointer moved to the version served instead', () => {
    const store = open();
    store.add(entry(1, 1), true);
    store.add(entry(2, 2), true);
    store.quarantine(2, 'local_corrupt', 1);
    expect(store.rows().map((r) => r.version)).toEqual([1]);
    expect([store.activeVersion(), store.highestActivated()]).toEqual([1, 2]);
    expect(store.quarantined()).toEqual([{ version: 2, reason: 'local_corrupt', quarantinedAt: NOW }]);
    store.add(entry(2, 2), true);
    expect([store.activeVersion(), store.highestActivated()]).toEqual([2, 2]);
  });

  it('refuses a database written by a newer schema', () => {
    open().close();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => open()).toThrow(/schema version 99/);
  });
});

describe('buildSnapshot: the in-memory index', () => {
  it('rejects a version whose content does not match its hash, and serves the newest good one', () => {
    const store = open();
    store.add(entry(1, 1), false);
    store.add(entry(2, 2), true);
    const db = new Database(file);
    db.prepare('UPDATE ruleset_versions SET document = replace(document, \'"cycleDays":2\', \'"cycleDays":0\') WHERE version = 2').run();
    db.close();
    const built = buildSnapshot(store.rows(), {
      activeVersion: store.activeVersion(),
      lastActivatedVersion: store.highestActivated(),
      loadedAt: NOW,
    });
    expect(built.rejected).toEqual([
      { version: 2, reason: 'local_corrupt', message: expect.stringMatching(/content hash .* does not match the recorded/) },
    ]);
    expect(built.snapshot?.active.ruleset.version).toBe(1);
    expect(built.snapshot?.lastActivatedVersion).toBe(2);
    expect([...(built.snapshot?.held.keys() ?? [])]).toEqual([1]);
  });

  it('reuses rulesets already built for unchanged versions', () => {
    const store = open();
    store.add(entry(1, 1), true);
    const first = buildSnapshot(store.rows(), { activeVersion: 1, lastActivatedVersion: 0, loadedAt: NOW }).snapshot;
    store.add(entry(2, 2), true);
    const second = buildSnapshot(store.rows(), { activeVersion: 2, lastActivatedVersion: 0, loadedAt: NOW, previous: first }).snapshot;
    expect(second?.held.get(1)).toBe(first?.held.get(1));
    expect(second?.active.ruleset.version).toBe(2);
  });

  it('has nothing to serve from an empty store', () => {
    expect(buildSnapshot([], { activeVersion: null, lastActivatedVersion: 0, loadedAt: NOW }).snapshot).toBeNull();
  });
});

describe('syncBundledPack: the embedded default', () => {
  const options = { rulesDir: RULES_DIR, today: TODAY, now: NOW };

  it('seeds an empty store from the bundled pack as the version the pack declares', () => {
    const store = open();
    expect(syncBundledPack(store, options)).toEqual({ action: 'seeded', version: BUNDLED_VERSION, hash: bundled().pack.hash });
    expect(store.rows()[0]).toMatchObject({ version: BUNDLED_VERSION, source: 'bundled', publishedAt: NOW });
    expect(syncBundledPack(store, options)).toEqual({ action: 'unchanged', version: BUNDLED_VERSION });
  });

  it('adds a new version when the bundled pack changed since it was seeded', () => {
    const store = open();
    // An older bundled pack (version 1, another hash); the current one declares a higher number.
    store.add(entry(1, 3, 'bundled'), true);
    expect(BUNDLED_VERSION).toBeGreaterThan(1);
    expect(syncBundledPack(store, options)).toMatchObject({ action: 'updated', version: BUNDLED_VERSION });
    expect(store.activeVersion()).toBe(BUNDLED_VERSION);
    expect(store.rows().map((r) => r.version)).toEqual([BUNDLED_VERSION, 1]);
  });

  it('leaves a store that follows something else alone', () => {
    const store = open();
    store.add(entry(9, 1), true);
    expect(syncBundledPack(store, options)).toEqual({ action: 'not-bundled', version: 9 });
    expect(store.rows()).toHaveLength(1);
  });

  it('changes nothing when the pack does not compile, and lists the problems', () => {
    const pack = join(dir.path, 'broken-pack');
    mkdirSync(join(pack, 'rules'), { recursive: true });
    writeFileSync(join(pack, 'rules', 'x.yaml'), 'rules: [ { id: 1 ');
    const store = open();
    const out = syncBundledPack(store, { ...options, rulesDir: pack });
    expect(out.action).toBe('pack-invalid');
    expect(store.rows()).toEqual([]);
  });
});
