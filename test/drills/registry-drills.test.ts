// The registry and calendar drills in short form, each as `tplus drill` in a real child process that
// starts a real registry and following sidecars.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../integration/sidecar-process.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { failures, runDrillCli } from './run-drill-cli.js';

const dir = tempDir('tplus-drills-');
beforeAll(() => buildServer(), 120_000);
afterAll(() => dir.remove());

describe('tplus drill: registry outages, tampered snapshots, emergency closures and the cutover', () => {
  it('registry-outage: sidecars keep serving version 1, the pending publish lands, the fleet converges', async () => {
    const out = await runDrillCli('registry-outage', `${dir.path}/outage`);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.report.counts.fallback).toBe(0);
    expect(out.report.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['fault_injected', 'publish_pending', 'heal', 'published', 'converged', 'reconciled']));
  }, 40_000);

  it('corrupt-snapshot: the tampered version is rejected, counted and alerted once; only trusted versions are served', async () => {
    const out = await runDrillCli('corrupt-snapshot', `${dir.path}/corrupt`);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.report.facts['rejectReasons']).toEqual(['bad_signature']);
    expect(out.report.timeline.filter((e) => e.kind === 'alert')).toHaveLength(1);
  }, 40_000);

  it('emergency-holiday: every sidecar answers with the closure, and the impact list names the trades it moves', async () => {
    const out = await runDrillCli('emergency-holiday', `${dir.path}/holiday`);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    const impact = out.report.facts['impact'] as { tradeDate: string; answered: string; withClosure: string }[];
    // 2030-03-12 settled T+1 on 2030-03-13; the closure moves it to 2030-03-14.
    expect(impact).toContainEqual(expect.objectContaining({ tradeDate: '2030-03-12', answered: '2030-03-13', withClosure: '2030-03-14' }));
  }, 40_000);

  it('cutover: 2024-05-24 (T+2) and 2024-05-28 (T+1) both settle on 2024-05-29, every answer equals the core', async () => {
    const out = await runDrillCli('cutover', `${dir.path}/cutover`);
    expect(failures(out.report), out.stdout + out.stderr).toBe('');
    expect(out.code).toBe(0);
    const dsd = out.report.facts['doubleSettlementDay'] as { tradeDates: { tradeDate: string; cycleDays: number }[] };
    expect(dsd.tradeDates.map((t) => [t.tradeDate, t.cycleDays])).toEqual([['2024-05-24', 2], ['2024-05-28', 1]]);
  }, 40_000);
});
