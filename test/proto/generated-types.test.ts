import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The message and handler types are generated from proto/ by `npm run build` (scripts/generate-proto-types.mjs)
 * and not committed. These pin that what the build left in place is what the proto gives now, and that a
 * retyped field does change them (so code compiled against them stops compiling).
 */
const ROOT = join(import.meta.dirname, '..', '..');
const GENERATE = join(ROOT, 'scripts', 'generate-proto-types.mjs');
const SERVER_PROTOS = ['tplus/settlement/v1/settlement.proto', 'tplus/registry/v1/registry.proto', 'tplus/drill/v1/drill.proto'];
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-gen-types-'));
  dirs.push(dir);
  return dir;
}

function generate(outDir: string, protos: readonly string[], protoRoot?: string): void {
  const args = [GENERATE, ...(protoRoot === undefined ? [] : ['--proto-root', protoRoot]), outDir, ...protos];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
}

function tree(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  return new Map(files.map((d) => [relative(dir, join(d.parentPath, d.name)), readFileSync(join(d.parentPath, d.name), 'utf8')]));
}

describe('types generated from the proto', () => {
  it.each([
    ['server', join(ROOT, 'server/src/rpc/generated'), SERVER_PROTOS],
    ['SDK', join(ROOT, 'client-sdk/src/generated/types'), ['tplus/settlement/v1/settlement.proto']],
  ])('the %s copy is what the proto gives now (run `npm run build` when this fails)', (_who, built, protos) => {
    const fresh = scratch();
    generate(fresh, protos);
    expect(tree(built)).toEqual(tree(fresh));
  });

  it('change when a field is retyped, so the server stops compiling against a stale contract', () => {
    const copy = scratch();
    cpSync(join(ROOT, 'proto'), join(copy, 'proto'), { recursive: true });
    const file = join(copy, 'proto/tplus/settlement/v1/settlement.proto');
    const text = readFileSync(file, 'utf8');
    const from = '  uint32 cycle_days = 4;\n  // The settlement calendar';
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, '  string cycle_days = 4;\n  // The settlement calendar'));
    const out = scratch();
    generate(out, SERVER_PROTOS, join(copy, 'proto'));
    const retyped = tree(out).get('tplus/settlement/v1/SettlementDecision.ts');
    const built = tree(join(ROOT, 'server/src/rpc/generated')).get('tplus/settlement/v1/SettlementDecision.ts');
    expect(built).toContain("'cycleDays': (number);");
    expect(retyped).toContain("'cycleDays': (string);");
  });
});
