// The drill control: only a sidecar started with --allow-drills accepts it; faults are bounded, expire
// by themselves and are visible in metrics and logs.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { status, type ServiceError } from '@grpc/grpc-js';
import { createSettlementClient } from '@tplus/client-sdk';
import { callDrillService } from '../../server/src/drill/drill-control-client.js';
import { memoryLogger } from '../../server/src/runtime/json-logger.js';
import { loadSidecarConfig } from '../../server/src/sidecar/load-sidecar-config.js';
import { BUNDLED_RULES_DIR } from '../../server/src/sidecar/run-serve.js';
import { startSidecar, type SidecarHandle } from '../../server/src/sidecar/start-sidecar.js';
import { tempDir } from '../integration/sidecar-harness.js';

const NOW = new Date('2026-11-27T09:30:00.000Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sidecar(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ handle: SidecarHandle; address: string; registry: Registry; logs: Record<string, unknown>[] }> {
  const dir = tempDir('tplus-drill-ctl-');
  const loaded = loadSidecarConfig(['--data-dir', dir.path, '--listen', 'off', '--metrics-listen', 'off', ...args], env, {
    cwd: dir.path,
    rulesDir: BUNDLED_RULES_DIR,
  });
  if (loaded.kind !== 'config') throw new Error('help');
  const log = memoryLogger(() => NOW);
  const registry = new Registry();
  const handle = await startSidecar(loaded.config, { clock: () => NOW, log, registry, processMetrics: false });
  cleanups.push(
    () => dir.remove(),
    () => handle.close({ immediate: true }),
  );
  return { handle, address: `unix://${handle.socketPath as string}`, registry, logs: log.lines };
}

const code = (p: Promise<unknown>): Promise<number | string> =>
  p.then(
    () => 'ok',
    (e: ServiceError) => e.code,
  );

describe('drill control', () => {
  it('is impossible without --allow-drills: DrillService is not registered (UNIMPLEMENTED) and no drill metric exists', async () => {
    const s = await sidecar([]);
    expect(await code(callDrillService(s.address, 'InjectLatency', { latencyMs: 500, durationMs: 1_000 }))).toBe(status.UNIMPLEMENTED);
    expect(await s.registry.metrics()).not.toContain('tplus_drill_active');
  });

  it('--allow-drills and TPLUS_ALLOW_DRILLS turn it on; a bad value names the field', () => {
    const opts = { cwd: '/tmp', rulesDir: BUNDLED_RULES_DIR };
    const on = loadSidecarConfig(['--allow-drills', '--listen', 'off'], {}, opts);
    const env = loadSidecarConfig(['--listen', 'off'], { TPLUS_ALLOW_DRILLS: 'true' }, opts);
    const off = loadSidecarConfig(['--listen', 'off'], {}, opts);
    expect(on.kind === 'config' && on.config.allowDrills).toBe(true);
    expect(env.kind === 'config' && env.config.allowDrills).toBe(true);
    expect(off.kind === 'config' && off.config.allowDrills).toBeUndefined();
    expect(() => loadSidecarConfig(['--allow-drills=maybe'], {}, opts)).toThrow(/allowDrills/);
  });

  it('injected latency delays decisions, shows in tplus_drill_active and the log, and expires by itself', async () => {
    const s = await sidecar(['--allow-drills']);
    const client = createSettlementClient({ address: s.address, deadlineMs: 100 });
    cleanups.push(() => client.close());
    const trade = { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' };
    expect((await client.getSettlementDateDetails(trade, { deadlineMs: 2_000 })).source).toBe('service');
    const state = await callDrillService<{ latencyActive: boolean; latencyMs: number }>(s.address, 'InjectLatency', {
      latencyMs: 300,
      durationMs: 600,
    });
    expect(state).toMatchObject({ latencyActive: true, latencyMs: 300 });
    expect(await s.registry.metrics()).toMatch(/tplus_drill_active\{kind="latency"\} 1/);
    expect(s.logs.map((l) => l['event'])).toContain('drill_started');
    const slow = await client.getSettlementDateDetails(trade);
    expect(slow).toMatchObject({ source: 'fallback', errorCode: 'DEADLINE_EXCEEDED' });
    await new Promise((r) => setTimeout(r, 800));
    expect(s.logs.map((l) => l['event'])).toContain('drill_expired');
    expect(await s.registry.metrics()).toMatch(/tplus_drill_active\{kind="latency"\} 0/);
    expect((await client.getSettlementDateDetails(trade, { deadlineMs: 2_000 })).source).toBe('service');
  });

  it('refuses unbounded faults (INVALID_ARGUMENT) and ClearDrills ends one early', async () => {
    const s = await sidecar(['--allow-drills']);
    expect(await code(callDrillService(s.address, 'InjectLatency', { latencyMs: 500, durationMs: 0 }))).toBe(status.INVALID_ARGUMENT);
    expect(await code(callDrillService(s.address, 'InjectLatency', { latencyMs: 500, durationMs: 300_001 }))).toBe(status.INVALID_ARGUMENT);
    expect(await code(callDrillService(s.address, 'InjectLatency', { latencyMs: 30_001, durationMs: 1_000 }))).toBe(
      status.INVALID_ARGUMENT,
    );
    await callDrillService(s.address, 'InjectLatency', { latencyMs: 500, durationMs: 60_000 });
    expect(await callDrillService(s.address, 'ClearDrills', {})).toMatchObject({ latencyActive: false });
    expect(s.logs.map((l) => l['event'])).toContain('drill_cleared');
  });
});
