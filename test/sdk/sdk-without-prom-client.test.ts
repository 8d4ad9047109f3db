import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarProcess } from '../support/sidecar-process.js';

// prom-client is an optional peer dependency of the SDK: an app without it must be able to install
// and use the SDK. The built SDK and @tplus/core are copied into a fresh project's node_modules with
// the SDK's other dependencies (and theirs) but without prom-client, and call a real sidecar from
// there, as ESM and as CommonJS.

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** A temp base with no node_modules/prom-client above it (a shared /tmp may have a stray node_modules). */
function cleanBase(): string {
  const bare = (d: string): boolean => {
    for (let p = resolve(d); ; p = dirname(p)) {
      if (existsSync(join(p, 'node_modules', 'prom-client'))) return false;
      if (dirname(p) === p) return true;
    }
  };
  const base = [tmpdir(), '/var/tmp'].find(bare);
  if (base === undefined) throw new Error(`no temp directory without a node_modules/prom-client above it (tried ${tmpdir()}, /var/tmp)`);
  return base;
}

const dir = mkdtempSync(join(cleanBase(), 'tplus-sdk-no-prom-'));
const app = join(dir, 'app');
const sidecar = new SidecarProcess(join(dir, 'data'), join(dir, 's.sock'));

/** The SDK's runtime dependencies and theirs, by name (read from the installed package.json files). */
function dependencyClosure(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0 && seen.size < 200) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    queue.push(...Object.keys(pkg.dependencies ?? {}));
  }
  return seen;
}

function copyPackage(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
  cpSync(join(from, 'package.json'), join(to, 'package.json'));
}

const CALL = (load: string): string => `
${load}
const client = sdk.createSettlementClient({ address: process.argv[2], deadlineMs: 5000 });
client.ready().then(() => client.getSettlementDateDetails({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' }))
  .then((d) => { console.log(JSON.stringify({ date: d.settlementDate, source: d.source })); return client.close(); })
  .catch((e) => { console.error(e); process.exitCode = 1; return client.close(); });
`;

beforeAll(async () => {
  const sdkPkg = JSON.parse(readFileSync(join(ROOT, 'client-sdk/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const modules = join(app, 'node_modules');
  copyPackage(join(ROOT, 'client-sdk'), join(modules, '@tplus/client-sdk'));
  copyPackage(join(ROOT, 'core'), join(modules, '@tplus/core'));
  const others = dependencyClosure(Object.keys(sdkPkg.dependencies).filter((n) => n !== '@tplus/core' && n !== 'prom-client'));
  for (const name of others) {
    if (name === 'prom-client') continue;
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  }
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
  writeFileSync(join(app, 'call.mjs'), CALL(`import * as sdk from '@tplus/client-sdk';`));
  writeFileSync(join(app, 'call.cjs'), CALL(`const sdk = require('@tplus/client-sdk');`));
  await sidecar.start();
});

afterAll(async () => {
  await sidecar.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('the SDK without prom-client installed', () => {
  it('the fresh project really has no prom-client to find', () => {
    expect(existsSync(join(app, 'node_modules', 'prom-client'))).toBe(false);
    expect(() => createRequire(join(app, 'node_modules/@tplus/client-sdk/dist/cjs/index.js')).resolve('prom-client')).toThrow(
      /Cannot find module/,
    );
  });

  it.each(['call.mjs', 'call.cjs'])('%s: loads and answers from a real sidecar', async (file) => {
    const { stdout } = await run(process.execPath, [join(app, file), sidecar.address], { cwd: app, timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ date: '2024-05-29', source: 'service' });
  });

  it('declares prom-client an optional peer dependency, not a dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'client-sdk/package.json'), 'utf8')) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    expect(pkg['dependencies']?.['prom-client']).toBeUndefined();
    expect(pkg['peerDependencies']?.['prom-client']).toBe('^15.1.3');
    expect(pkg['peerDependenciesMeta']?.['prom-client']).toEqual({ optional: true });
  });
});
