import { join } from 'node:path';
import type { Ruleset } from '@tplus/core';
import { expectation } from './drill-expectations.js';
import { packWithClosure, SidecarNode } from './drill-fleet.js';
import { startFleet } from './drill-fleet-setup.js';
import { sleep, waitUntil } from './drill-run.js';
import { compileRuleset, cyclingTrades, tradingDays } from './drill-trades.js';
import type { CallRecord } from './load-generator.js';
import { finishStandard, type Scenario } from './scenario.js';

const CLOSURE = '2030-03-13';
const PROBE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' } as const;
const VISIBLE_WITHIN_MS = 10_000;

function decideOrNull(ruleset: Ruleset, r: CallRecord['request']): string | null {
  try {
    return ruleset.decide(r.tradeDate, r.assetClass, r.market).settlementDate;
  } catch {
    return null;
  }
}

export interface ImpactEntry {
  readonly tradeDate: string;
  readonly market: string;
  readonly assetClass: string;
  readonly answered: string;
  readonly withClosure: string | null;
  readonly trades: number;
}

/** Already-answered trades (service answers from the old version) whose settlement date the new version changes. */
export function impactList(records: readonly CallRecord[], oldVersion: number, before: Ruleset, after: Ruleset): ImpactEntry[] {
  const byKey = new Map<string, ImpactEntry>();
  for (const r of records) {
    if (r.outcome !== 'service' || r.details?.rulesetVersion !== oldVersion) continue;
    const old = decideOrNull(before, r.request);
    const now = decideOrNull(after, r.request);
    if (old === now) continue;
    const key = `${r.request.market} ${r.request.assetClass} ${r.request.tradeDate}`;
    const prev = byKey.get(key);
    byKey.set(key, {
      tradeDate: r.request.tradeDate,
      market: r.request.market,
      assetClass: r.request.assetClass,
      answered: r.details.settlementDate,
      withClosure: now,
      trades: (prev?.trades ?? 0) + 1,
    });
  }
  return [...byKey.values()].sort((a, b) => a.tradeDate.localeCompare(b.tradeDate));
}

export const emergencyHoliday: Scenario = {
  name: 'emergency-holiday',
  proves: `an ad-hoc market closure published during load (${CLOSURE}) reaches every sidecar within seconds, and the trades already answered whose settlement date it changes are listed (impact list) from the core's decisions on both versions.`,
  alerts: { fire: [] },
  async run(run) {
    const s = run.settings;
    const fleet = await startFleet(run, 2);
    const before = compileRuleset(s.rulesDir, 1);
    const nextDir = packWithClosure(s.rulesDir, join(s.dir, 'pack-v2'), CLOSURE, 'Emergency closure');
    const after = compileRuleset(nextDir, 2);
    // Trade capture books March 2030 trades (not on the closure day itself: the market is shut).
    const days = tradingDays(before, 'XNYS', 'EQUITY', '2030-03-01', '2030-03-29', new Set([CLOSURE]));
    await run.startLoad(fleet.sidecars[0]?.address ?? '', cyclingTrades(days), s.warmupMs + s.durationMs + 30_000);
    await sleep(s.warmupMs);
    const expected = after.decide(PROBE.tradeDate, PROBE.assetClass, PROBE.market).settlementDate;
    const v2 = await fleet.registry.publish(nextDir, `drill: emergency closure ${CLOSURE}`);
    const published = run.timeline.mark('published', `version ${v2.version.version}: ad-hoc closure ${CLOSURE}`);
    const visibleMs = await Promise.all(
      fleet.sidecars.map(async (_, i) => {
        const ok = await waitUntil(
          async () => {
            const d = await fleet.probe(i, PROBE);
            return !(d instanceof Error) && d.settlementDate === expected;
          },
          VISIBLE_WITHIN_MS,
          20,
        );
        return ok ? Math.round(run.timeline.now() - published.atMs) : null;
      }),
    );
    const converged = run.timeline.mark('converged', `every sidecar answers ${PROBE.tradeDate} → ${expected}`);
    await sleep(Math.max(500, s.durationMs - (converged.atMs - published.atMs)));
    await run.stopLoad();
    await run.reconcile();
    const records = run.load?.records ?? [];
    const impact = impactList(records, 1, before, after);
    // The impact list is right when every sidecar now answers each listed trade with the closure-aware date.
    let confirmedImpact = 0;
    for (const e of impact) {
      const answers = await Promise.all(fleet.sidecars.map((_, i) => fleet.probe(i, e)));
      if (answers.every((a) => !(a instanceof Error) && a.settlementDate === e.withClosure)) confirmedImpact++;
    }
    const stale = records.filter(
      (r) => r.startedMs > converged.atMs + 100 && r.outcome === 'service' && r.details?.rulesetVersion !== 2,
    ).length;
    return {
      expectations: [
        ...finishStandard(run, { incident: false, sidecars: fleet.sidecars }),
        expectation(
          'closure-everywhere',
          `every sidecar answers with the closure within ${VISIBLE_WITHIN_MS} ms of the publish`,
          visibleMs.every((v) => v !== null),
          `visible after ${visibleMs.map((v, i) => `sidecar-${i + 1}: ${v ?? 'never'} ms`).join(', ')}`,
        ),
        expectation(
          'no-stale-answers',
          'after convergence no answer came from the old version',
          stale === 0,
          `${stale} answers from version 1 after convergence`,
        ),
        expectation(
          'impact-list',
          'the impact list is non-empty and every listed trade now settles on the closure-aware date on every sidecar',
          impact.length > 0 && confirmedImpact === impact.length,
          `${impact.length} trade dates (${impact.reduce((n, e) => n + e.trades, 0)} trades), ${confirmedImpact} confirmed`,
        ),
      ],
      facts: { closure: CLOSURE, visibleAfterMs: visibleMs, impact },
    };
  },
};

export const cutover: Scenario = {
  name: 'cutover',
  proves:
    "load across the US T+2 → T+1 effective date (trade date 2024-05-28), on a synthetic clock of trade dates, gets the core's answer for every trade, including the double settlement day 2024-05-29 (2024-05-24 at T+2 and 2024-05-28 at T+1).",
  alerts: { fire: [] },
  async run(run) {
    const s = run.settings;
    const node = new SidecarNode('sidecar', join(s.dir, 'sidecar'));
    run.onCleanup(() => node.stop());
    run.scrape(node);
    await node.start();
    const core = compileRuleset(s.rulesDir);
    const days = tradingDays(core, 'XNYS', 'EQUITY', '2024-05-20', '2024-06-05');
    // The synthetic clock: trade date advances one trading day per slot, so the run crosses the cutover once.
    const slotMs = Math.max(50, Math.floor((s.warmupMs + s.durationMs) / days.length));
    const trade = (_: number, atMs: number): { tradeDate: string; assetClass: string; market: string } => ({
      tradeDate: days[Math.min(days.length - 1, Math.floor(atMs / slotMs))] as string,
      assetClass: 'EQUITY',
      market: 'XNYS',
    });
    await run.startLoad(node.address, trade, slotMs * days.length + 30_000);
    run.timeline.mark('synthetic_clock', `trade dates ${days[0]}..${days[days.length - 1]}, one per ${slotMs} ms`);
    await waitUntil(
      () => run.load?.records.some((r) => r.request.tradeDate === days[days.length - 1]) ?? false,
      slotMs * days.length + 10_000,
    );
    run.timeline.mark('cutover_crossed', `trade dates reached ${days[days.length - 1]}`);
    await sleep(200);
    await run.stopLoad();
    await run.reconcile();
    const records = run.load?.records ?? [];
    const service = records.filter((r) => r.outcome === 'service');
    const wrong = service.filter(
      (r) => r.details?.settlementDate !== core.decide(r.request.tradeDate, r.request.assetClass, r.request.market).settlementDate,
    );
    const byDate = new Map<string, { settlementDate: string; ruleId: string; cycleDays: number; trades: number }>();
    for (const r of service) {
      const prev = byDate.get(r.request.tradeDate);
      byDate.set(r.request.tradeDate, {
        settlementDate: r.details?.settlementDate ?? '',
        ruleId: r.details?.ruleId ?? '',
        cycleDays: r.details?.cycleDays ?? -1,
        trades: (prev?.trades ?? 0) + 1,
      });
    }
    const on0529 = [...byDate.entries()].filter(([, v]) => v.settlementDate === '2024-05-29');
    const t24 = byDate.get('2024-05-24');
    const t28 = byDate.get('2024-05-28');
    const switchedOnTime = [...byDate.entries()].every(([d, v]) => (d < '2024-05-28' ? v.cycleDays === 2 : v.cycleDays === 1));
    return {
      expectations: [
        ...finishStandard(run, { incident: false, sidecars: [node] }),
        expectation(
          'core-agrees',
          "every answer equals the core's decision for its trade date",
          service.length > 0 && wrong.length === 0,
          `${service.length - wrong.length}/${service.length} agree`,
        ),
        expectation(
          'cycle-switch',
          'trade dates before 2024-05-28 settle T+2, from 2024-05-28 on T+1',
          switchedOnTime && byDate.size === days.length,
          `${byDate.size}/${days.length} trade dates answered`,
        ),
        expectation(
          'double-settlement-day',
          '2024-05-24 (T+2) and 2024-05-28 (T+1) both settle on 2024-05-29',
          t24?.settlementDate === '2024-05-29' && t28?.settlementDate === '2024-05-29' && t24.cycleDays === 2 && t28.cycleDays === 1,
          `2024-05-24 → ${t24?.settlementDate ?? 'not answered'} (T+${t24?.cycleDays ?? '?'}), 2024-05-28 → ${t28?.settlementDate ?? 'not answered'} (T+${t28?.cycleDays ?? '?'}); ${on0529.map(([d]) => d).join(' and ')} settle 2024-05-29`,
        ),
      ],
      facts: {
        tradeDates: Object.fromEntries(byDate),
        doubleSettlementDay: {
          date: '2024-05-29',
          tradeDates: on0529.map(([d, v]) => ({ tradeDate: d, cycleDays: v.cycleDays, trades: v.trades })),
        },
      },
    };
  },
};
