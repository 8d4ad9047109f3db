import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryCommands } from '../../server/src/cli/registry-commands.js';
import { replayCommands } from '../../server/src/cli/replay-commands.js';
import { generateSigningKeys } from '../../server/src/registry/signing-keys.js';
import { startTestSidecar } from '../integration/sidecar-harness.js';
import { RULES_DIR } from '../support/bundled.js';
import { cli, type CliResult } from '../support/run-cli.js';
import {
  packWithEmergencyHoliday,
  registryFixture,
  startTestRegistry,
  type RegistryFixture,
  type TestRegistry,
} from './registry-harness.js';

function tplus(argv: readonly string[]): Promise<CliResult> {
  return cli(argv, '', { ...registryCommands({ USER: 'tester' }), ...replayCommands({}) });
}

const TRADE = ['--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2030-03-12'];

describe('replay and audit: answers as each version did (in-process registry, real gRPC and SQLite)', () => {
  let fx: RegistryFixture;
  let reg: TestRegistry;
  let rogueKey: string;
  const source = (): string[] => [
    '--registry',
    reg.address,
    '--token-file',
    fx.readTokenFile,
    '--registry-public-key',
    fx.keys.publicKeyFile,
  ];

  beforeAll(async () => {
    fx = registryFixture();
    reg = await startTestRegistry(fx);
    rogueKey = generateSigningKeys(join(fx.dir, 'rogue')).publicKeyFile;
    const publish = (rules: string, reason: string) =>
      tplus(['publish', '--registry', reg.address, '--token-file', fx.publishTokenFile, '--rules', rules, '--reason', reason]);
    expect((await publish(RULES_DIR, 'initial')).code).toBe(0);
    expect((await publish(packWithEmergencyHoliday(join(fx.dir, 'holiday')), 'emergency closure 2030-03-13')).code).toBe(0);
    expect(
      (
        await tplus([
          'rollback',
          '--registry',
          reg.address,
          '--token-file',
          fx.publishTokenFile,
          '--to',
          '1',
          '--reason',
          'closure cancelled',
        ])
      ).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await reg.handle.close();
    fx.remove();
  });

  it('settle --ruleset-version N answers as version N did, verified with the registry key', async () => {
    expect(await tplus(['settle', '--ruleset-version', '2', ...source(), ...TRADE])).toEqual({
      code: 0,
      stdout: '2030-03-14\n',
      stderr: '',
    });
    expect((await tplus(['settle', '--ruleset-version', '1', ...source(), ...TRADE])).stdout).toBe('2030-03-13\n');
    expect((await tplus(['settle', '--ruleset-version', '3', ...source(), ...TRADE])).stdout).toBe('2030-03-13\n');
    const json = JSON.parse((await tplus(['settle', '--ruleset-version', '2', ...source(), ...TRADE, '--json'])).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({
      settlement_date: '2030-03-14',
      ruleset_version: 2,
      ruleset_hash: (await reg.handle.ledger.get(2)).sha256,
      verified: 'signature',
      trade_date: '2030-03-12',
    });
    // Without registry flags, settle is the local command it always was.
    expect((await tplus(['settle', ...TRADE])).stdout).toBe('2030-03-13\n');
  });

  it('settle --ruleset-version N --sidecar ADDR asks a sidecar holding N; one that does not hold it says so', async () => {
    const sidecar = await startTestSidecar();
    try {
      const held = sidecar.handle.current().active.ruleset;
      const ok = await tplus([
        'settle',
        '--ruleset-version',
        String(held.version),
        '--sidecar',
        sidecar.addresses.unix.replace('unix://', 'unix:'),
        ...TRADE,
        '--json',
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({
        settlement_date: '2030-03-13',
        ruleset_version: held.version,
        ruleset_hash: held.hash,
        market: 'XNYS',
      });
      const gone = await tplus(['settle', '--ruleset-version', '99', '--sidecar', sidecar.addresses.tcp, ...TRADE]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/FAILED_PRECONDITION \(VERSION_NOT_HELD\)/);
    } finally {
      await sidecar.stop();
    }
  });

  it('settle --ruleset-version: a missing version, a wrong key and missing flags are clear errors', async () => {
    const missing = await tplus(['settle', '--ruleset-version', '9', ...source(), ...TRADE]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/GetVersion .* NOT_FOUND \(VERSION_NOT_FOUND\): version 9 does not exist/);
    const rogue = await tplus([
      'settle',
      '--ruleset-version',
      '2',
      '--registry',
      reg.address,
      '--token-file',
      fx.readTokenFile,
      '--registry-public-key',
      rogueKey,
      ...TRADE,
    ]);
    expect(rogue.code).toBe(1);
    expect(rogue.stderr).toMatch(/version rejected \(bad_signature\)/);
    expect((await tplus(['settle', '--ruleset-version', '2', ...TRADE])).code).toBe(2);
    expect((await tplus(['settle', '--registry', reg.address, ...TRADE])).stderr).toMatch(/missing required flag --ruleset-version/);
    const noRule = await tplus([
      'settle',
      '--ruleset-version',
      '2',
      ...source(),
      '--market',
      'XNYS',
      '--asset-class',
      'NOPE',
      '--trade-date',
      '2030-03-12',
    ]);
    expect(noRule.code).toBe(1);
    expect(noRule.stderr).toMatch(/NO_RULE/);
  });

  it('audit lists what every version that ever existed answers (date or error code, rule, hash)', async () => {
    const text = await tplus(['audit', ...source(), ...TRADE]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^XNYS EQUITY trade 2030-03-12: 3 version\(s\) at unix:.*; each version verified: sha256 and signature$/);
    expect(
      lines.slice(1).map((l) =>
        l
          .trim()
          .split(/\s+/)
          .filter((_, i) => i !== 1 && i !== 2)
          .slice(0, 3)
          .join(' '),
      ),
    ).toEqual([
      expect.stringMatching(/^1 2030-03-13 \S+$/),
      expect.stringMatching(/^2 2030-03-14 \S+$/),
      expect.stringMatching(/^3 2030-03-13 \S+$/),
    ]);
    expect(lines[3]).toContain('rollback of 1: closure cancelled');
    const json = (await tplus(['audit', ...source(), ...TRADE, '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const hashes = await Promise.all([1, 2, 3].map(async (v) => (await reg.handle.ledger.get(v)).sha256));
    expect(json.map((j) => [j['version'], j['settlement_date'], j['sha256'], j['verified']])).toEqual(
      [1, 2, 3].map((v, i) => [v, v === 2 ? '2030-03-14' : '2030-03-13', hashes[i], 'signature']),
    );
    expect(json[0]?.['rule_id']).toEqual(json[1]?.['rule_id']);
  });

  it('audit reports an error code per version when no rule applies, and hashes only without a key', async () => {
    const r = await tplus([
      'audit',
      '--registry',
      reg.address,
      '--token-file',
      fx.readTokenFile,
      '--market',
      'XNYS',
      '--asset-class',
      'NOPE',
      '--trade-date',
      '2030-03-12',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { error: { code: string }; verified: string });
    expect(rows.map((x) => [x.error.code, x.verified])).toEqual([
      ['NO_RULE', 'sha256'],
      ['NO_RULE', 'sha256'],
      ['NO_RULE', 'sha256'],
    ]);
    const rogue = await tplus([
      'audit',
      '--registry',
      reg.address,
      '--token-file',
      fx.readTokenFile,
      '--registry-public-key',
      rogueKey,
      ...TRADE,
    ]);
    expect(rogue.code).toBe(1);
    expect(rogue.stdout.match(/REJECTED \(bad_signature\)/g)).toHaveLength(3);
    expect((await tplus(['audit', '--registry', reg.address, ...TRADE])).stderr).toMatch(/UNAUTHENTICATED/);
  });
});
