import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Every command of the README's `sh` blocks that calls the CLI, continuation lines joined. */
function cliSnippets(): string[] {
  const text = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const commands: string[] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const cmd = line.trim();
      if (cmd.includes('npm run --silent tplus --')) commands.push(cmd);
    }
  }
  return commands;
}

describe('README snippets run', () => {
  const snippets = cliSnippets();

  it('finds the CLI snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
  });

  it.each(snippets)('%s', (cmd) => {
    const out = execFileSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TPLUS_TODAY: '2026-11-27' } });
    expect(out.length).toBeGreaterThan(0);
  });

  it('the first example prints what the README says it prints', () => {
    const first = snippets[0] ?? '';
    expect(execFileSync('bash', ['-c', first], { cwd: ROOT, encoding: 'utf8' })).toBe('2024-05-29\n');
  });
});

describe('README: the Node snippet calls a real sidecar', () => {
  it('prints what the README says it prints', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSidecar, reap } = await import('./integration/sidecar-process.js');
    const text = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const section = text.slice(text.indexOf('## Usage: the sidecar'), text.indexOf('## Usage: the client SDK'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'tplus-readme-'));
    const sidecar = spawnSidecar(['--data-dir', dir, '--listen', '127.0.0.1:0', '--metrics-listen', 'off', '--socket', 'off']);
    try {
      const listening = await sidecar.waitFor('listening', (l) => l['transport'] === 'tcp');
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', code ?? ''], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TPLUS_ADDRESS: String(listening['address']) },
        timeout: 20_000,
      });
      expect(out).toBe('2024-05-29 us-equity-xnys-t2 1\n');
    } finally {
      reap(sidecar);
      await sidecar.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('README: the registry and fleet walkthrough runs', () => {
  it('publishes twice and the following sidecar installs both versions', () => {
    const text = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const section = text.slice(text.indexOf('## Usage: the registry and a fleet'));
    const script = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const out = execFileSync('bash', ['-e', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
    expect(out).toContain('published: version 1');
    expect(out).toContain('trade 2030-03-12: 2030-03-13 → 2030-03-14');
    expect(out).toContain('published: version 2');
    expect(out).toContain('"event":"snapshot_installed","version":2');
  }, 120_000);
});
