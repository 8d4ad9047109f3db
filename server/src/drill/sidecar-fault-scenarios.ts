import { join } from 'node:path';
import { callDrillService } from './drill-control-client.js';
import { expectation, type Expectation } from './drill-expectations.js';
import { metricValue, SidecarNode } from './drill-fleet.js';
import { sleep, type DrillRun } from './drill-run.js';
import { compileRuleset, cyclingTrades, tradingDays } from './drill-trades.js';
import { finishStandard, type Scenario, type ScenarioResult } from './scenario.js';

interface Fault {
  readonly describe: string;
  readonly sidecarArgs?: readonly string[];
  inject(node: SidecarNode, run: DrillRun): Promise<void>;
  /** Ends the fault; resolves with what healed it. */
  heal(node: SidecarNode, run: DrillRun): Promise<string>;
  /** Extra expectations (checked after reconcile). */
  extra?(node: SidecarNode, run: DrillRun): Promise<Expectation[]>;
}

/** One sidecar under load; the fault starts after warm-up, lasts --duration, then heals. */
async function sidecarFault(run: DrillRun, fault: Fault): Promise<ScenarioResult> {
  const s = run.settings;
  const node = new SidecarNode('sidecar', join(s.dir, 'sidecar'), fault.sidecarArgs ?? []);
  run.onCleanup(() => node.stop());
  run.scrape(node);
  await node.start();
  // 2024 XNYS equity trades: T+2 until 2024-05-24, T+1 from 2024-05-28, so reconcile both confirms and corrects.
  const days = tradingDays(compileRuleset(s.rulesDir), 'XNYS', 'EQUITY', '2024-01-02', '2024-12-31');
  await run.startLoad(node.address, cyclingTrades(days), s.warmupMs + s.durationMs + 30_000);
  await sleep(s.warmupMs);
  run.timeline.mark('fault_injected', fault.describe);
  s.progress(`fault: ${fault.describe}`);
  await fault.inject(node, run);
  const extraDuring = fault.extra ? fault.extra(node, run) : Promise.resolve([]);
  const healed = await fault.heal(node, run);
  const heal = run.timeline.mark('heal', healed);
  s.progress(`heal: ${healed}`);
  await run.breakerClosed(heal.atMs);
  await sleep(1_000);
  await run.stopLoad();
  await run.reconcile();
  return {
    expectations: [...finishStandard(run, { incident: true, sidecars: [node] }), ...(await extraDuring)],
    facts: { fault: fault.describe, healed },
  };
}

export const sidecarKill: Scenario = {
  name: 'sidecar-kill',
  proves:
    'a sidecar killed with SIGKILL and restarted later never blocks or fails trade capture: fallbacks are provisional, alerted once, and reconciled after the restart.',
  // The breaker is open for about a second at a time (it half-opens to probe): `for: 1m` may or may not see a minute of it.
  alerts: { fire: ['TplusClientFallbackInUse', 'TplusSidecarDown'], mayFire: ['TplusClientBreakerOpen'] },
  run: (run) =>
    sidecarFault(run, {
      describe: 'SIGKILL the sidecar',
      inject: (node) => node.kill(),
      heal: async (node, r) => {
        await sleep(r.settings.durationMs);
        await node.start();
        return `sidecar restarted after ${r.settings.durationMs} ms and serving`;
      },
    }),
};

export const sidecarHang: Scenario = {
  name: 'sidecar-hang',
  proves:
    'a hung sidecar (SIGSTOP: the socket stays open, nothing answers) costs each call at most its deadline, then SIGCONT recovers it.',
  alerts: { fire: ['TplusClientFallbackInUse', 'TplusSidecarDown'], mayFire: ['TplusClientBreakerOpen'] },
  run: (run) =>
    sidecarFault(run, {
      describe: 'SIGSTOP the sidecar (hung process, socket open)',
      inject: async (node) => node.signal('SIGSTOP'),
      heal: async (node, r) => {
        await sleep(r.settings.durationMs);
        node.signal('SIGCONT');
        return `SIGCONT after ${r.settings.durationMs} ms`;
      },
    }),
};

interface DrillStateMessage {
  readonly latencyActive: boolean;
  readonly latencyMs: number;
  readonly expiresAt: string;
}

export const sidecarSlow: Scenario = {
  name: 'sidecar-slow',
  proves:
    'a sidecar answering slower than the SDK deadline (injected through the --allow-drills DrillService) is cut off at the deadline; the injected fault expires by itself and is visible in metrics and logs.',
  // Every decision takes 4x the deadline. Trade capture's SDK coalesces its calls into BatchGetSettlementDates
  // by default, which the GetSettlementDate latency objective does not cover: the fallback alert is what
  // must fire; the latency burn fires only for unary (coalesce: false) traffic.
  alerts: { fire: ['TplusClientFallbackInUse'], mayFire: ['TplusClientBreakerOpen', 'TplusLatencyBudgetBurnFast'] },
  run: (run) => {
    const latencyMs = run.settings.deadlineMs * 4;
    let gaugeWhileActive = -1;
    let startedAt = 0;
    return sidecarFault(run, {
      describe: `inject ${latencyMs} ms latency into decisions for ${run.settings.durationMs} ms (DrillService, --allow-drills)`,
      sidecarArgs: ['--allow-drills'],
      inject: async (node) => {
        startedAt = performance.now();
        await callDrillService<DrillStateMessage>(node.address, 'InjectLatency', { latencyMs, durationMs: run.settings.durationMs });
        await node.child?.waitFor('drill_started', undefined, 2_000);
        gaugeWhileActive = metricValue(await node.metrics(), 'tplus_drill_active', 'kind="latency"');
      },
      heal: async (node, r) => {
        await node.child?.waitFor('drill_expired', undefined, r.settings.durationMs + 5_000);
        return `latency drill expired by itself after ${Math.round(performance.now() - startedAt)} ms`;
      },
      extra: async (node, r) => {
        const child = node.child;
        const expired = child
          ? await child.waitFor('drill_expired', undefined, r.settings.durationMs + 5_000).then(
              () => performance.now() - startedAt,
              () => null,
            )
          : null;
        const gaugeAfter = metricValue(await node.metrics(), 'tplus_drill_active', 'kind="latency"');
        const started = node.events('drill_started').length;
        return [
          expectation(
            'drill-visible',
            'the drill fault is visible while active: tplus_drill_active{kind="latency"} 1 and a drill_started log line; 0 after',
            gaugeWhileActive === 1 && gaugeAfter === 0 && started === 1,
            `gauge ${gaugeWhileActive} while active, ${gaugeAfter} after; ${started} drill_started lines`,
          ),
          expectation(
            'drill-expires',
            `the drill fault expired by itself (bounded by its ${r.settings.durationMs} ms duration)`,
            expired !== null && expired <= r.settings.durationMs + 1_000,
            expired === null ? 'no drill_expired' : `expired ${Math.round(expired)} ms after injection`,
          ),
        ];
      },
    });
  },
};
