/**
 * Issue 18 item 5: a rule pack declares its own version (`pack: { version: N }`, server/rules/pack.yaml
 * for the bundled one). The CLI answers with it and a sidecar seeded from the pack stores it under that
 * number, so both name the same ruleset. The table below pins each bundled version to its sha256: a
 * change to the pack's calendars or rules fails here until the version is raised.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compilePack } from '../../server/src/pack/compile-pack.js';
import { RulesetStore } from '../../server/src/store/ruleset-store.js';
import { syncBundledPack } from '../../server/src/store/sync-bundled-pack.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { bundled, RULES_DIR, TODAY } from '../support/bundled.js';

/** Every version of the bundled pack and its sha256. Add a row when you raise server/rules/pack.yaml. */
const BUNDLED_PACK_SHA256: Readonly<Record<number, string>> = {
  1: '975810fc56c1456581c2d5eaf4fd90214b264089ec08aac41fa8c66585adfefd',
  // 2: the US equity T+1 rules define settlement types (CASH, NEXT_DAY, SELLERS_OPTION, WHEN_ISSUED).
  2: '244cc772c9eb7373d34ac693716f72ec4e9306ae86e2aeb7e589c019e67075c9',
  // 3: Singapore (XSES, SG-SETTLEMENT) ships, with MOM's 2027 public holidays.
  3: '9e76ebf7217ff3a46fbb418461b7e5cf493964627225c08fdd4c6b5a2b02d847',
};

const NOW = '2026-11-27T09:30:00.000Z';
let dir: ReturnType<typeof tempDir>;
let stores: RulesetStore[] = [];
beforeEach(() => {
  dir = tempDir('tplus-pack-version-');
});
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
  dir.remove();
});

/** A copy of the bundled pack declaring `version`, plus one more rule (T+`cycle`) when `cycle` is given. */
function packCopy(name: string, version: number, cycle?: number): string {
  const pack = join(dir.path, name);
  cpSync(RULES_DIR, pack, { recursive: true });
  writeFileSync(join(pack, 'pack.yaml'), `pack:\n  version: ${version}\n`);
  if (cycle !== undefined) {
    writeFileSync(
      join(pack, 'zz-override.yaml'),
      'rules:\n  - { id: test-override, name: t, asset_class: EQUITY, market: XTST, effective: { from: 2024-01-01, to: 9999-12-31 }, ' +
        `cycle_days: ${cycle}, settlement_calendar: US-SETTLEMENT, source: test }\n`,
    );
  }
  return pack;
}

function store(): RulesetStore {
  const s = RulesetStore.open(join(dir.path, 'rulesets.db'), { keepVersions: 5, now: () => NOW });
  stores.push(s);
  return s;
}

describe('the bundled pack declares its version', () => {
  it('each declared version names one content: raise server/rules/pack.yaml when the pack changes', () => {
    const { pack } = bundled();
    expect(pack.version, 'server/rules/pack.yaml declares pack.version').not.toBeNull();
    const pinned = BUNDLED_PACK_SHA256[pack.version ?? 0];
    expect(
      pinned,
      `the bundled pack declares version ${pack.version} but this table has no sha256 for it: add ${pack.version}: '${pack.hash}'`,
    ).toBeDefined();
    expect(
      pack.hash,
      `the bundled pack changed (sha256 ${pack.hash}) but still declares version ${pack.version}: raise it in server/rules/pack.yaml and add it here`,
    ).toBe(pinned);
  });

  it('a sidecar store is seeded under the declared version, and a changed pack under its new one', () => {
    const s = store();
    expect(syncBundledPack(s, { rulesDir: packCopy('v5', 5), today: TODAY, now: NOW })).toMatchObject({ action: 'seeded', version: 5 });
    expect(syncBundledPack(s, { rulesDir: packCopy('v6', 6, 2), today: TODAY, now: NOW })).toMatchObject({ action: 'updated', version: 6 });
    expect(s.rows().map((r) => [r.version, r.source])).toEqual([
      [6, 'bundled'],
      [5, 'bundled'],
    ]);
  });

  it('a declared version the store already used: the next free number, and the outcome says so', () => {
    const s = store();
    syncBundledPack(s, { rulesDir: packCopy('v5', 5), today: TODAY, now: NOW });
    const outcome = syncBundledPack(s, { rulesDir: packCopy('v5-changed', 5, 2), today: TODAY, now: NOW });
    expect(outcome).toMatchObject({ action: 'updated', version: 6, declaredVersion: 5 });
  });

  it('declared in two files: an error naming the first', () => {
    const pack = packCopy('twice', 3);
    writeFileSync(join(pack, 'again.yaml'), 'pack:\n  version: 4\n');
    const compiled = compilePack(pack, { today: TODAY });
    expect(compiled.document).toBeNull();
    expect(compiled.problems.map((p) => p.message)).toContain(`the pack's version is already declared in ${join(pack, 'again.yaml')}`);
  });
});
