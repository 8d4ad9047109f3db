// An application outside this repository installs the SDK the way client-sdk/README says: the README's
// install snippet packs @tplus/client-sdk and @tplus/core and installs the two tarballs into a fresh
// project under the OS temp dir; the project then loads both from ESM and CommonJS, type-checks against
// them, and runs the README example against a real sidecar, printing what the README says it prints.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeBlocks, statedOutput, normalOutput } from '../support/readme-snippets.js';
import { npmOfflineFirst, type NpmRun } from '../support/npm-offline-first.js';
import { seedLockfile } from '../support/seed-lockfile.js';
import { SidecarProcess } from '../support/sidecar-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(resolve(ROOT, 'client-sdk/README.md'), 'utf8');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tplus-sdk-tarball-'));
const app = join(dir, 'your-app');
const sidecar = new SidecarProcess(join(dir, 'data'), join(dir, 's.sock'));
const TARBALLS = ['tplus-core-0.1.0.tgz', 'tplus-client-sdk-0.1.0.tgz'];
const PROM_CLIENT = '^15.1.3';

/** The README section that starts with `heading`, up to the next `## `. */
function section(heading: string): string {
  const start = README.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`client-sdk/README.md has no "${heading}" section`);
  const end = README.indexOf('\n## ', start + heading.length);
  return README.slice(start, end < 0 ? undefined : end);
}
const installBlock = readmeBlocks(section('## Install')).find((b) => b.lang === 'sh');
const exampleBlock = readmeBlocks(section('## Example')).find((b) => b.lang === 'js');

/**
 * Runs the README's install snippet as written, from the repository, with the app's path in place of
 * /path/to/your-app: offline from the npm cache that `npm ci` filled (the app's lockfile, seeded from
 * ours as an app pins what it tested, spares npm the registry's metadata), else from the registry.
 */
const runInstallSnippet = (): Promise<NpmRun> =>
  npmOfflineFirst('bash', ['-c', `set -euo pipefail\n${(installBlock?.body ?? '').replaceAll('/path/to/your-app', app)}`], {
    cwd: ROOT,
    timeoutMs: 300_000,
  });

let install: NpmRun | undefined;

beforeAll(async () => {
  mkdirSync(app);
  // A fresh application that already uses prom-client (the README example passes it a Registry).
  const manifest = { name: 'your-app', version: '1.0.0', private: true, dependencies: { 'prom-client': PROM_CLIENT } };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const sdkDeps = Object.keys(
    (JSON.parse(readFileSync(join(ROOT, 'client-sdk/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies,
  );
  seedLockfile(app, ['prom-client', ...sdkDeps.filter((n) => !n.startsWith('@tplus/'))], {
    name: 'your-app',
    version: '1.0.0',
    dependencies: manifest.dependencies,
  });
  install = await runInstallSnippet();
  await sidecar.start();
}, 360_000);

afterAll(async () => {
  await sidecar.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  for (const t of TARBALLS) rmSync(join(ROOT, t), { force: true });
});

const installed = (pkg: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(app, 'node_modules', pkg, 'package.json'), 'utf8')) as Record<string, unknown>;

describe('client-sdk/README: an application outside the repository installs the SDK from its tarballs', () => {
  it('the install snippet packs both packages, moves the tarballs to the app and installs them from there', () => {
    expect(installBlock?.body).toContain('npm pack -w client-sdk -w core');
    expect(installBlock?.body).toContain(`npm install ${TARBALLS.map((t) => `./${t}`).join(' ')}`);
    expect(app.startsWith(ROOT)).toBe(false);
    for (const t of TARBALLS) {
      expect(existsSync(join(app, t)), t).toBe(true);
      expect(existsSync(join(ROOT, t)), `${t} left in the repository`).toBe(false);
    }
    expect(installed('@tplus/client-sdk')['version']).toBe('0.1.0');
    expect(installed('@tplus/core')['version']).toBe('0.1.0');
    // The SDK's dependency on @tplus/core is satisfied by the core tarball: one copy, at the top.
    expect(existsSync(join(app, 'node_modules/@tplus/client-sdk/node_modules'))).toBe(false);
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    expect(lock.packages['node_modules/@tplus/core']?.resolved).toBe('file:tplus-core-0.1.0.tgz');
    expect(lock.packages['node_modules/@tplus/client-sdk']?.resolved).toBe('file:tplus-client-sdk-0.1.0.tgz');
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies).toEqual({
      '@tplus/client-sdk': 'file:tplus-client-sdk-0.1.0.tgz',
      '@tplus/core': 'file:tplus-core-0.1.0.tgz',
      'prom-client': PROM_CLIENT,
    });
    // What the README says npm 11 prints about install scripts: protobufjs's, and no other.
    const unreviewed = [...(install?.stderr ?? '').matchAll(/^npm warn install-scripts {3}(\S+)@\S+ \(/gm)].map((m) => m[1]);
    expect(unreviewed).toEqual(['protobufjs']);
    if (install?.online) console.warn('sdk-tarball-install: the npm cache lacked a dependency; installed from the npm registry');
  });

  it('the READMEs say how to install from the tarballs, that publishing is the release step, and claim no published package', () => {
    const tradeCapture = readFileSync(resolve(ROOT, 'examples/trade-capture/README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(tradeCapture).toContain('`npm pack -w client-sdk -w core`');
    expect(tradeCapture).toContain(`\`npm install ${TARBALLS.map((t) => `./${t}`).join(' ')}\``);
    for (const [file, text] of [
      ['client-sdk/README.md', README.replace(/\s+/g, ' ')],
      ['examples/trade-capture/README.md', tradeCapture],
      ['docs/sdk.md', readFileSync(resolve(ROOT, 'docs/sdk.md'), 'utf8').replace(/\s+/g, ' ')],
    ] as const) {
      expect(text, file).toContain('is the release step');
      expect(text, file).not.toMatch(/published SDK|npm install @tplus\//);
    }
  });

  it('every file the exports maps name is in the installed packages, and the CommonJS half is marked as such', () => {
    for (const pkg of ['@tplus/client-sdk', '@tplus/core']) {
      const exportsMap = installed(pkg)['exports'] as Record<string, Record<string, Record<string, string>>>;
      const targets = Object.values(exportsMap['.'] ?? {}).flatMap((c) => Object.values(c));
      expect(targets.length, pkg).toBe(4);
      for (const t of targets) expect(existsSync(join(app, 'node_modules', pkg, t)), `${pkg} ${t}`).toBe(true);
      expect(JSON.parse(readFileSync(join(app, 'node_modules', pkg, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    }
    expect(installed('@tplus/client-sdk')['dependencies']).toMatchObject({ '@tplus/core': '0.1.0' });
    expect(installed('@tplus/client-sdk')['peerDependenciesMeta']).toEqual({ 'prom-client': { optional: true } });
  });

  it('an .mjs and a .cjs file load both packages and get the same exports', async () => {
    const list = "[Object.keys(sdk).sort().join(','), Object.keys(core).sort().join(',')].join('\\n')";
    writeFileSync(
      join(app, 'load.mjs'),
      `import * as sdk from '@tplus/client-sdk';\nimport * as core from '@tplus/core';\nconsole.log(${list});\n`,
    );
    writeFileSync(
      join(app, 'load.cjs'),
      `const sdk = require('@tplus/client-sdk');\nconst core = require('@tplus/core');\nconsole.log(${list});\n`,
    );
    const [esm, cjs] = await Promise.all(['load.mjs', 'load.cjs'].map((f) => run(process.execPath, [f], { cwd: app, timeout: 30_000 })));
    expect(cjs?.stdout).toBe(esm?.stdout);
    const [sdkNames, coreNames] = (esm?.stdout ?? '')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(sdkNames).toEqual(expect.arrayContaining(['createSettlementClient', 'JsonlFileLedger', 'SettlementError']));
    expect(coreNames).toEqual(expect.arrayContaining(['Ruleset', 'DecisionError']));
  });

  it('a .cjs file calls the sidecar through the installed SDK', async () => {
    writeFileSync(
      join(app, 'call.cjs'),
      `const { createSettlementClient } = require('@tplus/client-sdk');
const client = createSettlementClient({ address: process.argv[2], deadlineMs: 5000 });
client.getSettlementDate({ tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' })
  .then((d) => console.log(d), (e) => { console.error(e); process.exitCode = 1; })
  .finally(() => client.close());
`,
    );
    const { stdout } = await run(process.execPath, ['call.cjs', sidecar.address], { cwd: app, timeout: 30_000 });
    expect(stdout).toBe('2024-05-29\n');
  });

  it('TypeScript resolves the types of both packages for import (.mts) and require (.cts)', async () => {
    const body = (load: string): string => `${load}
const client = createSettlementClient({ address: 'unix:///nowhere.sock', deadlineMs: 50 });
export async function settle(): Promise<string> {
  const d = await client.getSettlementDateDetails({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' });
  const source: 'service' | 'in-process' | 'fallback' = d.source;
  // @ts-expect-error tradeDate is a string: the SDK's types are real, not any
  await client.getSettlementDate({ tradeDate: 20240524, assetClass: 'EQUITY', market: 'XNYS' });
  return \`\${d.settlementDate} \${source} \${roundTrip(d.settlementDate)}\`;
}
`;
    writeFileSync(
      join(app, 'check.mts'),
      body(
        `import { createSettlementClient } from '@tplus/client-sdk';\nimport { formatDay, parseDay } from '@tplus/core';\nconst roundTrip = (t: string): string => formatDay(parseDay(t));`,
      ),
    );
    writeFileSync(
      join(app, 'check.cts'),
      body(
        `import sdk = require('@tplus/client-sdk');\nimport core = require('@tplus/core');\nconst { createSettlementClient } = sdk;\nconst roundTrip = (t: string): string => core.formatDay(core.parseDay(t));`,
      ),
    );
    const tsconfig = {
      compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true },
      files: ['check.mts', 'check.cts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const out = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, timeout: 120_000 }).catch(
      (e: { stdout: string }) => e,
    );
    expect(out.stdout).toBe('');
  }, 150_000);
});

describe('client-sdk/README: the example runs from the installed packages', () => {
  const runExample = () => {
    writeFileSync(join(app, 'example.mjs'), exampleBlock?.body ?? '');
    return run(process.execPath, ['example.mjs'], { cwd: app, env: { ...process.env, TPLUS_ADDRESS: sidecar.address }, timeout: 30_000 });
  };

  it('next to a running sidecar it prints what the README says', async () => {
    expect(exampleBlock?.prints, 'a "prints:" block after the example').toBeDefined();
    const { stdout } = await runExample();
    expect(normalOutput(stdout)).toMatch(statedOutput(exampleBlock?.prints ?? ''));
  });

  it('with the sidecar stopped it answers provisionally and alerts on stderr, as the README says', async () => {
    const said = /provisional answer \(`source: '(\w+)'`,\s+`settlementDate: '([\d-]+)'`\)/.exec(section('## Example'));
    expect(said?.slice(1)).toEqual(['fallback', '2024-05-28']);
    await sidecar.stop('SIGTERM');
    const { stdout, stderr } = await runExample();
    expect(stdout).toContain(`settlementDate: '${said?.[2]}'`);
    expect(stdout).toContain(`source: '${said?.[1]}'`);
    expect(stdout).toContain('provisional: true');
    expect(stderr).toMatch(/provisional/i);
    expect(readFileSync(join(app, 'tplus-provisional.jsonl'), 'utf8')).toContain('"tradeDate":"2024-05-24"');
  });
});
