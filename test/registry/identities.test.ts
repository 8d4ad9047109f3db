import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryCommands } from '../../server/src/cli/registry-commands.js';
import { parseTokens } from '../../server/src/registry/server/registry-tokens.js';
import type { PublishResponseMessage } from '../../server/src/registry/registry-wire.js';
import { RULES_DIR } from '../support/bundled.js';
import { cli, type CliResult } from '../support/run-cli.js';
import { registryClient, unary } from './registry-client.js';
import { READ_TOKEN, registryFixture, startTestRegistry, type RegistryFixture, type TestRegistry } from './registry-harness.js';

const ALICE = 'alice-token-0123456789';
const OLD_FORM = 'old-form-publish-token-0123';

function tplus(argv: readonly string[]): Promise<CliResult> {
  return cli(argv, '', registryCommands({ USER: 'mallory' }));
}

describe('tokens file: named identities', () => {
  it('loads "ROLE NAME TOKEN" lines and the old "ROLE TOKEN" form (identity named after the role)', () => {
    const tokens = parseTokens(`# comment\npublish alice ${ALICE}\npublish,approve bob bob-token-0123456789\nread ${READ_TOKEN}\n`, 't');
    expect(tokens.size).toBe(3);
    expect(tokens.identities()).toEqual([
      { name: 'alice', roles: ['publish'] },
      { name: 'bob', roles: ['publish', 'approve'] },
      { name: 'read', roles: ['read'] },
    ]);
  });

  it('rejects a malformed file whole, listing every problem by file:line and never a token', () => {
    const text = [
      'publish alice short', // token too short
      'admin carol carol-token-0123456789', // unknown role
      'publish', // too few fields
      'read dave dave-token-0123456789 extra', // too many fields
      'publish bad/name name-token-0123456789', // bad name
      `approve erin ${ALICE}`, // same token twice
      `publish alice ${ALICE}`,
    ].join('\n');
    let message = '';
    try {
      parseTokens(text, '/etc/tplus/tokens');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      '/etc/tplus/tokens has 6 problem(s); no token was loaded:',
      expect.stringMatching(/^\/etc\/tplus\/tokens:1: .*at least 8 characters/),
      expect.stringMatching(/^\/etc\/tplus\/tokens:2: unknown role "admin"/),
      expect.stringMatching(/^\/etc\/tplus\/tokens:3: expected "ROLE NAME TOKEN"/),
      expect.stringMatching(/^\/etc\/tplus\/tokens:4: expected "ROLE NAME TOKEN"/),
      expect.stringMatching(/^\/etc\/tplus\/tokens:5: name "bad\/name"/),
      expect.stringMatching(/^\/etc\/tplus\/tokens:7: the same token as line 6/),
    ]);
    expect(message).not.toContain(ALICE);
    expect(message).not.toContain('carol-token');
  });
});

describe('the signed author and the audit name the authenticated identity (in-process registry, real gRPC, real SQLite)', () => {
  let fx: RegistryFixture;
  let reg: TestRegistry;

  beforeAll(async () => {
    fx = registryFixture();
    writeFileSync(fx.tokensFile, `publish alice ${ALICE}\npublish ${OLD_FORM}\nread ${READ_TOKEN}\n`);
    writeFileSync(join(fx.dir, 'alice.token'), `${ALICE}\n`);
    reg = await startTestRegistry(fx);
  });
  afterAll(async () => {
    await reg.handle.close();
    fx.remove();
  });

  it('a publish claiming another author is signed and audited as the token holder; the claim is only noted', async () => {
    const out = await tplus([
      ...['publish', '--registry', reg.address, '--token-file', join(fx.dir, 'alice.token')],
      ...['--rules', RULES_DIR, '--reason', 'first', '--author', 'mallory'],
    ]);
    expect(out).toMatchObject({ code: 0 });
    const v = await reg.handle.ledger.get(1);
    expect(v.author).toBe('alice');
    const row = (await reg.handle.ledger.store.auditRows()).find((r) => r.action === 'Publish' && r.result === 'ok');
    expect(row).toMatchObject({ who: 'alice', detail: expect.stringContaining('claimed_author="mallory"') });
  });

  it('an old-form token publishes as the identity named after its role', async () => {
    const client = registryClient(reg.address);
    try {
      const res = await unary<PublishResponseMessage>(client, 'Rollback', { toVersion: 1, reason: 'again', author: '' }, OLD_FORM);
      expect(res.created).toBe(false);
      const files = [{ path: 'x', content: Buffer.from('') }];
      await expect(unary(client, 'Publish', { files, reason: 'r', author: 'alice' }, OLD_FORM)).rejects.toMatchObject({ code: 3 });
      expect((await reg.handle.ledger.store.auditRows()).at(-1)).toMatchObject({
        who: 'publish',
        action: 'Publish',
        result: 'INVALID_PACK',
      });
    } finally {
      client.close();
    }
  });
});
