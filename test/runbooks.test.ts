// The runbooks run: every command block of docs/runbooks.md is executed against real processes (a
// registry with the bundled pack published, and a sidecar following it), checking the exit code and
// what the text says it prints ("prints (exit N):" states a non-zero exit; output is stdout then stderr).
// A block that cannot run on one machine (systemd, kubectl, grpcurl) carries `<!-- not-run: REASON -->`
// in the runbook, and the prose says "(not run by the tests: REASON)". Same parser and comparison as
// the README snippets (test/support/readme-snippets.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './integration/sidecar-harness.js';
import { followerArgs, publishArgs, registryArgs, registryFixture, type RegistryFixture } from './registry/registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './registry/tplus-process.js';
import { RULES_DIR } from './support/bundled.js';
import { normalOutput, readmeBlocks, statedOutput, type ReadmeBlock } from './support/readme-snippets.js';

const ROOT = resolve(import.meta.dirname, '..');
const FILE = 'docs/runbooks.md';
const TEXT = readFileSync(resolve(ROOT, FILE), 'utf8');
const blocks = readmeBlocks(TEXT);
const where = (b: ReadmeBlock): string => `${FILE}:${b.line}`;
const runnable = blocks.filter((b) => b.notRun === undefined && b.lang !== 'text');

/** Runs one block with bash; the outcome as the runbook states it: exit code and stdout followed by stderr. */
function runBlock(b: ReadmeBlock, env: Readonly<Record<string, string>>): { code: number | null; output: string } {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', b.body], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TPLUS_TODAY: '2026-11-27', ...env },
    timeout: 60_000,
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Why a block's run does not match the runbook (null when it does). */
function mismatch(b: ReadmeBlock, run: { code: number | null; output: string }): string | null {
  const exit = Number(/exit (\d+)/.exec(b.printsNote ?? '')?.[1] ?? 0);
  if (run.code !== exit) return `exit ${String(run.code)}, the runbook says ${exit}; output:\n${run.output}`;
  if (b.prints === undefined) return 'the runbook states no output ("prints:" block) for it';
  if (!statedOutput(b.prints).test(normalOutput(run.output))) return `printed:\n${run.output}\nthe runbook says:\n${b.prints}`;
  return null;
}

describe('runbooks: every block is run or marked', () => {
  it('each code block is run below, is a stated output, or is marked not-run in the runbook with the reason in its prose', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(6);
    const prose = TEXT.replace(/\s+/g, ' ');
    for (const b of blocks.filter((x) => x.notRun !== undefined)) {
      const says = `(not run by the tests: ${b.notRun ?? ''})`;
      expect(prose.includes(says), `${where(b)}: the prose must say "${says}"`).toBe(true);
    }
    for (const b of runnable) expect(['sh', 'bash'], `${where(b)} (${b.lang || 'no language'})`).toContain(b.lang);
  });

  it('the commands use the form that works from a checkout (npm run --silent tplus --), never a bare tplus or grpcurl', () => {
    for (const b of runnable) {
      for (const line of b.body.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))) {
        expect(line, where(b)).not.toMatch(/^\s*(tplus|npx tplus|grpcurl)\b/);
      }
    }
  });

  it('a run that differs from the text fails: wrong exit code, wrong output', () => {
    const b: ReadmeBlock = { lang: 'sh', body: 'echo SERVING; exit 1\n', line: 0, prints: 'SERVING\n' };
    expect(mismatch(b, runBlock(b, {}))).toMatch(/^exit 1, the runbook says 0/);
    const c: ReadmeBlock = { lang: 'sh', body: 'echo NOT_SERVING\n', line: 0, prints: 'SERVING\n' };
    expect(mismatch(c, runBlock(c, {}))).toMatch(/^printed:/);
    const d: ReadmeBlock = { lang: 'sh', body: 'echo x >&2; exit 1\n', line: 0, prints: 'x\n', printsNote: 'on stderr, exit 1' };
    expect(mismatch(d, runBlock(d, {}))).toBeNull();
  });
});

describe('runbooks: the commands run against a registry and a sidecar following it', () => {
  let fx: RegistryFixture;
  let registry: TplusProcess;
  let sidecar: TplusProcess;
  const dir = tempDir('tplus-runbooks-');
  let env: Record<string, string>;
  beforeAll(async () => {
    fx = registryFixture();
    const address = `unix:${join(fx.dir, 'registry.sock')}`;
    registry = spawnTplus(registryArgs(fx, address, ['--metrics-listen', 'off']));
    await registry.waitFor('registry_serving');
    expect((await runTplus(publishArgs(fx, address, RULES_DIR, 'initial pack'))).code).toBe(0);
    sidecar = spawnTplus(followerArgs(fx, address, dir.path, ['--metrics-listen', 'off']));
    await sidecar.waitFor('serving');
    // What the runbook tells the operator to set: the sidecar's address, the registry's and a read token.
    env = { TPLUS_ADDR: `unix://${join(dir.path, 's.sock')}`, TPLUS_REGISTRY: address, TPLUS_TOKEN_FILE: fx.readTokenFile };
  }, 60_000);
  afterAll(async () => {
    await sidecar.stop();
    await registry.stop();
    dir.remove();
    fx.remove();
  });

  it.each(runnable.map((b) => [`${where(b)} ${b.body.split('\n')[0] ?? ''}`, b] as const))(
    '%s',
    (_, b) => {
      expect(mismatch(b, runBlock(b, env))).toBeNull();
    },
    70_000,
  );
});
