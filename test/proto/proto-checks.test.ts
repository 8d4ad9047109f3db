import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * scripts/check-proto.mjs (`npm run lint:proto`, in `npm test`) on real git repositories holding a copy
 * of proto/ and buf.yaml: buf lint, and buf breaking against the previous commit.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CHECK = join(ROOT, 'scripts', 'check-proto.mjs');
const SETTLEMENT = 'proto/tplus/settlement/v1/settlement.proto';
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/** A repository whose first commit is today's proto/ and buf.yaml. */
function repoWithContract(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-proto-check-'));
  dirs.push(dir);
  cpSync(join(ROOT, 'proto'), join(dir, 'proto'), { recursive: true });
  cpSync(join(ROOT, 'buf.yaml'), join(dir, 'buf.yaml'));
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'contract');
  return dir;
}

function commitEdit(dir: string, file: string, from: string, to: string): void {
  const text = readFileSync(join(dir, file), 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(dir, file), text.replace(from, to));
  git(dir, 'commit', '-qam', 'edit');
}

function check(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CHECK], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('proto checks (buf lint, buf breaking against HEAD~1)', () => {
  it('pass on this repository', () => {
    const r = check(ROOT);
    expect(r.out).toContain('buf lint: ok');
    expect(r.status, r.out).toBe(0);
  });

  it('fail when a commit retypes a field, naming the field', () => {
    const dir = repoWithContract();
    commitEdit(
      dir,
      SETTLEMENT,
      '  uint32 cycle_days = 4;\n  // The settlement calendar',
      '  string cycle_days = 4;\n  // The settlement calendar',
    );
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/"cycle_days" on message "SettlementDecision" changed type from "uint32" to "string"/);
  });

  it('fail when a commit removes a field', () => {
    const dir = repoWithContract();
    commitEdit(dir, SETTLEMENT, '  string ruleset_hash = 7;\n}', '}');
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/Previously present field "7" with name "ruleset_hash" on message "SettlementDecision" was deleted/);
  });

  it('pass when a commit only adds a field (the protos only grow)', () => {
    const dir = repoWithContract();
    commitEdit(dir, SETTLEMENT, '  string ruleset_hash = 7;\n}', '  string ruleset_hash = 7;\n  string note = 8;\n}');
    const r = check(dir);
    expect(r.out).toContain('buf breaking against HEAD~1: ok');
    expect(r.status, r.out).toBe(0);
  });

  it('fail buf lint on a new RPC that does not follow the standard names (the exceptions are only for published names)', () => {
    const dir = repoWithContract();
    commitEdit(
      dir,
      SETTLEMENT,
      'service SettlementService {\n',
      'service SettlementService {\n  rpc Ping(ItemError) returns (ItemError);\n',
    );
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/RPC request type "ItemError" should be named "PingRequest"/);
  });

  it('skip breaking with a note on a clone with a single commit, and still lint', () => {
    const dir = repoWithContract();
    const r = check(dir);
    expect(r.out).toContain('buf lint: ok');
    expect(r.out).toContain('buf breaking: skipped, no previous commit (HEAD~1) in this clone');
    expect(r.status, r.out).toBe(0);
  });
});
