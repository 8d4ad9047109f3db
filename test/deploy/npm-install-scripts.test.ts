// What docs/sidecar.md (Troubleshooting) says about npm and install scripts holds on the npm that runs
// this suite: which dependencies have install scripts, that allowScripts is advisory (an unlisted script
// runs and is named, `true` runs quietly, `false` is skipped), that better-sqlite3's addon is there after
// `npm ci` (the text's check command prints what it says), and that with scripts disabled the addon is
// missing until `npm rebuild better-sqlite3`. Installs run in fresh projects under the OS temp dir,
// offline from the npm cache `npm ci` filled (see npm-offline-first.ts).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { npmOfflineFirst } from '../support/npm-offline-first.js';
import { seedLockfile } from '../support/seed-lockfile.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tplus-npm-scripts-'));
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, unknown> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string; hasInstallScript?: boolean }>;
};
const versionOf = (name: string): string => lock.packages[`node_modules/${name}`]?.version ?? 'missing';

/** The Troubleshooting item on install scripts, whitespace folded. */
const item = ((): string => {
  const text = readFileSync(join(ROOT, 'docs/sidecar.md'), 'utf8');
  const start = text.indexOf('- **The sidecar does not start: `Could not locate the bindings file`**');
  const end = text.indexOf('\n- **', start + 1);
  return start < 0 ? '' : text.slice(start, end < 0 ? undefined : end).replace(/\s+/g, ' ');
})();
const check = /run `(node -e "[^`]+")` at the repository root: it prints `([^`]+)`/.exec(item);
const repair = /To repair, run `(npm rebuild better-sqlite3)`/.exec(item);

/** A fresh project depending on `name` at our locked version, with a lockfile pinning its dependencies. */
function project(label: string, name: string, extra: Record<string, unknown> = {}): string {
  const app = join(dir, label);
  mkdirSync(app);
  const manifest = { name: label, version: '1.0.0', private: true, dependencies: { [name]: versionOf(name) }, ...extra };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  seedLockfile(app, [name], { name: label, version: '1.0.0', dependencies: manifest.dependencies });
  return app;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/sidecar.md: what the project relies on from npm install scripts', () => {
  it('the Troubleshooting item states a check command, its output and the repair', () => {
    expect(item).not.toBe('');
    expect(check?.slice(1)).toEqual([expect.stringContaining('better-sqlite3'), 'better-sqlite3 ok']);
    expect(repair).not.toBeNull();
  });

  it('three dependencies have install scripts, as the text names them; package.json lists better-sqlite3 and protobufjs as true', () => {
    const scripted = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript === true)
      .map(([k]) => k.replace(/^.*node_modules\//, ''))
      .sort();
    expect(scripted).toEqual(['@bufbuild/buf', 'better-sqlite3', 'protobufjs']);
    for (const name of scripted) expect(item).toContain(name);
    expect(rootPackage.allowScripts).toEqual({ 'better-sqlite3': true, protobufjs: true });
    const installScript = (
      JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts['install'];
    expect(item).toContain(`(\`${installScript}\`)`);
  });

  it('after npm ci the addon is built and the check command prints what the text says', async () => {
    expect(existsSync(join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    const { stdout } = await run('bash', ['-c', check?.[1] ?? 'false'], { cwd: ROOT, timeout: 30_000 });
    expect(stdout).toBe(`${check?.[2] ?? ''}\n`);
  });

  it.each([
    ['not listed', undefined, { ran: true, named: true }],
    ['listed true', true, { ran: true, named: false }],
    ['listed false', false, { ran: false, named: false }],
  ] as const)(
    "allowScripts is advisory on this npm: protobufjs's postinstall %s in allowScripts",
    async (label, allowed, expected) => {
      const app = project(
        `protobufjs-${label.replace(' ', '-')}`,
        'protobufjs',
        allowed === undefined ? {} : { allowScripts: { protobufjs: allowed } },
      );
      const { stdout, stderr } = await npmOfflineFirst('npm', ['install', '--foreground-scripts'], { cwd: app, timeoutMs: 120_000 });
      const out = stdout + stderr;
      expect(out.includes(`> protobufjs@${versionOf('protobufjs')} postinstall`), out).toBe(expected.ran);
      expect(/not yet covered by allowScripts:\s+npm warn install-scripts {3}protobufjs@/.test(out), out).toBe(expected.named);
    },
    150_000,
  );

  it('with ignore-scripts=true in an .npmrc better-sqlite3 installs without its addon, the check fails, and npm rebuild better-sqlite3 repairs it', async () => {
    const app = project('sqlite-no-scripts', 'better-sqlite3', { allowScripts: { 'better-sqlite3': true } });
    writeFileSync(join(app, '.npmrc'), 'ignore-scripts=true\n');
    await npmOfflineFirst('npm', ['install'], { cwd: app, timeoutMs: 120_000 });
    expect(existsSync(join(app, 'node_modules/better-sqlite3/lib/index.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(false);
    const failed = await run('bash', ['-c', check?.[1] ?? 'false'], { cwd: app, timeout: 30_000 }).catch((e: { stderr: string }) => e);
    expect('stderr' in failed ? failed.stderr : '').toContain('Could not locate the bindings file');
    rmSync(join(app, '.npmrc'));
    // Compiles the addon when no prebuilt one can be downloaded: minutes on a busy 2-core machine.
    await run('bash', ['-c', repair?.[1] ?? 'false'], { cwd: app, timeout: 900_000, maxBuffer: 64 << 20 });
    const { stdout } = await run('bash', ['-c', check?.[1] ?? 'false'], { cwd: app, timeout: 30_000 });
    expect(stdout).toBe(`${check?.[2] ?? ''}\n`);
  }, 1_000_000);
});
