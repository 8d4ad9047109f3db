// The canary-rollout drill (issue 17, item 5) in short form, as `tplus drill canary-rollout` in a real
// child process that starts a real registry and four labelled sidecars; plus the sabotaged run in which
// one role=main sidecar builds the candidate differently and the drill must fail.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, ROOT, TPLUS_MAIN } from '../integration/sidecar-process.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { failures, runDrillCli } from './run-drill-cli.js';

const dir = tempDir('tplus-drills-');
beforeAll(() => buildServer(), 120_000);
afterAll(() => dir.remove());

type Versions = Record<string, Record<string, number>>;

// Four sidecars, the registry and trade capture share this box's cores; when the candidate arrives each
// sidecar verifies, stores and builds it in short stretches (11-24 ms of CPU each; one 50-80 ms stretch
// before), all four at once. On a quiet box the default 250 ms SDK deadline held in 3 of 3 runs (slowest
// call 98-128 ms); on a loaded 2-core CI box calls still passed it (0-12 fallbacks a run), so these runs
// give trade capture a 1 s deadline (bound 1 s + 150 ms margin).
const DEADLINE = ['--deadline-ms', '1000'];

describe('tplus drill canary-rollout: candidate, shadow, canaries, promote, under trade-capture load', () => {
  it('passes: canaries serve the candidate, the others shadow it cleanly, promote reaches all four, no call blocked, no mixed batch', async () => {
    const out = await runDrillCli('canary-rollout', `${dir.path}/pass`, DEADLINE);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('tplus drill canary-rollout: PASS');
    const ids = out.report.expectations.map((e) => e.id);
    for (const id of [
      'no-call-blocked',
      'candidate-shadowed',
      'canaries-serve-candidate',
      'others-serve-live',
      'shadow-clean',
      'promoted',
      'all-serve-new',
      'answers-match-version',
      'batches-one-version',
    ])
      expect(ids, id).toContain(id);
    const kinds = out.report.timeline.map((e) => e.kind);
    for (const k of ['candidate_published', 'rollout', 'canaries_active', 'promote', 'all_active', 'reconciled'])
      expect(kinds, k).toContain(k);
    const f = out.report.facts;
    const v = f['versionsSeen'] as Versions;
    // Canaries answered from both versions (live before the rollout), the main sidecars too (new after promote).
    for (const name of ['sidecar-1', 'sidecar-2', 'sidecar-3', 'sidecar-4']) {
      expect(Object.keys(v[name] ?? {}).sort(), name).toEqual([String(f['liveVersion']), String(f['candidateVersion'])].sort());
    }
    const shadow = f['fleetShadow'] as { same: number; expectedChange: number; unexpectedChange: number };
    expect(shadow.same).toBeGreaterThan(0);
    expect(shadow.expectedChange).toBeGreaterThan(0);
    expect(shadow.unexpectedChange).toBe(0);
    expect(f['minShadowDecisions']).toBeGreaterThan(0);
    expect(f['batches']).toBeGreaterThan(0);
    expect(f['mixedBatches']).toBe(0);
    expect(out.report.counts.fallback).toBe(0);
    expect(out.report.counts.error).toBe(0);
    expect(out.report.latencyMs.all.max).toBeLessThanOrEqual(1_000 + 150);
    expect(out.markdown).toContain('| PASS |');
  }, 60_000);

  it('fails when one role=main sidecar builds the candidate skewed: unexpected_change, promote refused, candidate aborted, fleet back on live', async () => {
    const out = await runDrillCli('canary-rollout', `${dir.path}/skew`, [...DEADLINE, '--sabotage', 'candidate-skew']);
    expect(out.code, out.stdout).toBe(1);
    expect(out.stdout).toContain('tplus drill canary-rollout: FAIL');
    const failed = out.report.expectations.filter((e) => !e.passed).map((e) => e.id);
    expect(failed).toEqual(expect.arrayContaining(['shadow-clean', 'promoted']));
    const promoted = out.report.expectations.find((e) => e.id === 'promoted');
    expect(promoted?.detail).toMatch(/PROMOTE_BLOCKED.*unexpected shadow change/);
    const shadow = out.report.expectations.find((e) => e.id === 'shadow-clean');
    expect(shadow?.detail).toMatch(/sidecar-4 .*unexpected_change [1-9]/);
    // Aborted: every sidecar serves the live version again, and trade capture still never saw a blocked call.
    const back = out.report.expectations.find((e) => e.id === 'back-on-live');
    expect(back?.passed, back?.detail).toBe(true);
    expect(out.report.expectations.find((e) => e.id === 'no-call-blocked')?.passed).toBe(true);
    expect(out.report.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['promote_refused', 'aborted']));
  }, 60_000);

  it('tplus drill --help lists canary-rollout; an unknown --sabotage is a usage error naming the value, and nothing runs', () => {
    const help = spawnSync(process.execPath, [TPLUS_MAIN, 'drill', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(help.stdout).toMatch(/^ {2}canary-rollout {5}a candidate .* is shadowed by four labelled sidecars/m);
    const bad = spawnSync(process.execPath, [TPLUS_MAIN, 'drill', 'canary-rollout', '--sabotage', 'skew'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('drill: --sabotage "skew" must be fallback-off or candidate-skew');
    expect(bad.stdout).not.toContain('tplus drill');
  });
});
