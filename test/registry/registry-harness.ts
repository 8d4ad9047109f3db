/** Test support for the registry: keys, tokens, a pack copy with an emergency holiday, an in-process registry. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { RULES_DIR } from '../support/bundled.js';
import { memoryLogger } from '../../server/src/runtime/json-logger.js';
import { generateSigningKeys } from '../../server/src/registry/signing-keys.js';
import { startRegistry, type RegistryHandle } from '../../server/src/registry/server/start-registry.js';
import { tempDir } from '../integration/sidecar-harness.js';

export const PUBLISH_TOKEN = 'publish-token-0123456789';
export const READ_TOKEN = 'read-token-0123456789';
export const NOW = new Date('2026-11-27T09:30:00.000Z');

export interface RegistryFixture {
  readonly dir: string;
  readonly keys: { readonly privateKeyFile: string; readonly publicKeyFile: string };
  readonly tokensFile: string;
  readonly publishTokenFile: string;
  readonly readTokenFile: string;
  readonly wrongTokenFile: string;
  remove(): void;
}

/** A temp dir with a key pair, a tokens file (one publish, optionally one read token) and token files. */
export function registryFixture(withReadToken = true): RegistryFixture {
  const d = tempDir('tplus-reg-');
  const keys = generateSigningKeys(join(d.path, 'keys'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(d.path, name), text, { mode: 0o600 });
    return join(d.path, name);
  };
  return {
    dir: d.path,
    keys,
    tokensFile: file('tokens', `# role token\npublish ${PUBLISH_TOKEN}\n${withReadToken ? `read ${READ_TOKEN}\n` : ''}`),
    publishTokenFile: file('publish.token', `${PUBLISH_TOKEN}\n`),
    readTokenFile: file('read.token', `${READ_TOKEN}\n`),
    wrongTokenFile: file('wrong.token', 'not-a-configured-token\n'),
    remove: d.remove,
  };
}

/**
 * The bundled pack copied to `dir`, with an emergency closure of XNYS on `date` that also closes
 * settlement (so US-SETTLEMENT, the union, gains it too).
 */
export function packWithEmergencyHoliday(dir: string, date = '2030-03-13', name = 'Emergency closure'): string {
  cpSync(RULES_DIR, dir, { recursive: true });
  const file = join(dir, 'calendars', 'us.yaml');
  const text = readFileSync(file, 'utf8');
  const anchor = '    adhoc:\n';
  if (!text.includes(anchor)) throw new Error('us.yaml has no adhoc list');
  writeFileSync(
    file,
    text.replace(anchor, `${anchor}      - { date: ${date}, name: ${name}, closes_settlement: true, reason: "test: emergency closure" }\n`),
  );
  return dir;
}

export interface TestRegistry {
  readonly handle: RegistryHandle;
  readonly logs: Record<string, unknown>[];
  readonly metrics: Registry;
  readonly address: string;
}

/** An in-process registry on a Unix socket in `fixture.dir`. */
export async function startTestRegistry(fixture: RegistryFixture, heartbeatMs = 200): Promise<TestRegistry> {
  const log = memoryLogger(() => NOW);
  const metrics = new Registry();
  const handle = await startRegistry(
    {
      dataDir: join(fixture.dir, 'data'),
      listen: `unix:${join(fixture.dir, 'registry.sock')}`,
      signingKeyFile: fixture.keys.privateKeyFile,
      tokensFile: fixture.tokensFile,
      metricsListen: null,
      heartbeatMs,
    },
    { now: () => NOW, log, registry: metrics, processMetrics: false },
  );
  return { handle, logs: log.lines, metrics, address: handle.address };
}

/** `tplus registry` arguments for the fixture (its data dir, signing key and tokens) listening on `listen`. */
export function registryArgs(fx: RegistryFixture, listen: string, extra: readonly string[] = [], dataDir = join(fx.dir, 'data')): string[] {
  return [
    'registry',
    '--data-dir',
    dataDir,
    '--listen',
    listen,
    '--signing-key',
    fx.keys.privateKeyFile,
    '--tokens',
    fx.tokensFile,
    ...extra,
  ];
}

/** `tplus serve` arguments following `registry` with the fixture's key and read token: data in `dir`, socket `dir/s.sock`, no TCP. */
export function followerArgs(fx: RegistryFixture, registry: string, dir: string, extra: readonly string[] = []): string[] {
  return [
    'serve',
    ...['--registry', registry, '--registry-public-key', fx.keys.publicKeyFile, '--registry-token-file', fx.readTokenFile],
    ...['--data-dir', dir, '--socket', join(dir, 's.sock'), '--listen', 'off'],
    ...extra,
  ];
}

/** A write command against `registry` with the fixture's publish token: `command --registry R --token-file F ...extra`. */
export function writeArgs(fx: RegistryFixture, registry: string, command: string, extra: readonly string[] = []): string[] {
  return [command, '--registry', registry, '--token-file', fx.publishTokenFile, ...extra];
}

/** `tplus publish` arguments: the pack in `rules` to `registry` with the fixture's publish token. */
export function publishArgs(fx: RegistryFixture, registry: string, rules: string, reason: string): string[] {
  return ['publish', '--registry', registry, '--token-file', fx.publishTokenFile, '--rules', rules, '--reason', reason];
}
