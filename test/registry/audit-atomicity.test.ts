import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchEventMessage } from '../../server/src/registry/registry-wire.js';
import { packFiles, registryClient, unary, watch } from './registry-client.js';
import {
  PUBLISH_TOKEN,
  READ_TOKEN,
  registryFixture,
  startTestRegistry,
  type RegistryFixture,
  type TestRegistry,
} from './registry-harness.js';
import { RULES_DIR } from '../support/bundled.js';

/**
 * A version and its audit row are one SQLite transaction, committed before any watcher hears of the
 * version. The fault is injected in the real database: a trigger makes the audit insert of a
 * successful Publish fail, as a crash or a full disk between the two statements would.
 */
describe('audit atomicity (in-process registry, real gRPC, real SQLite)', () => {
  let fx: RegistryFixture;
  let reg: TestRegistry;

  beforeAll(async () => {
    fx = registryFixture();
    reg = await startTestRegistry(fx);
  });
  afterAll(async () => {
    await reg.handle.close();
    fx.remove();
  });

  it('when the audit row cannot be written, the version is not created either and no watcher hears of it', async () => {
    const db = new Database(join(fx.dir, 'data', 'registry.db'));
    db.exec(`CREATE TRIGGER inject_audit_fault BEFORE INSERT ON audit WHEN NEW.action = 'Publish' AND NEW.result = 'ok'
             BEGIN SELECT RAISE(ABORT, 'injected: audit write failed'); END`);
    const client = registryClient(reg.address, true);
    const events: WatchEventMessage[] = [];
    const stream = watch(client, 0, READ_TOKEN);
    stream.on('data', (e: WatchEventMessage) => events.push(e));
    stream.on('error', () => undefined);
    try {
      const files = packFiles(RULES_DIR);
      await expect(unary(client, 'Publish', { files, reason: 'unaudited?', author: '' }, PUBLISH_TOKEN)).rejects.toMatchObject({
        code: 13,
      });
      expect(await reg.handle.ledger.store.latest()).toBeNull();
      const heartbeat = events.length;
      await new Promise((r) => setTimeout(r, 400)); // two heartbeat intervals
      expect(events.length).toBeGreaterThan(heartbeat);
      expect(events.filter((e) => e.snapshot)).toEqual([]);
      expect((await reg.handle.ledger.store.auditRows()).at(-1)).toMatchObject({ action: 'Publish', result: 'INTERNAL' });
      db.exec('DROP TRIGGER inject_audit_fault');
      await unary(client, 'Publish', { files, reason: 'audited', author: '' }, PUBLISH_TOKEN);
      const rows = (await reg.handle.ledger.store.auditRows()).filter((r) => r.action === 'Publish' && r.result === 'ok');
      expect(rows.map((r) => r.detail)).toEqual([expect.stringMatching(/created version 1$/)]);
    } finally {
      stream.cancel();
      client.close();
      db.close();
    }
  });
});
