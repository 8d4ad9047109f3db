import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createSettlementClient, SettlementError } from '../../client-sdk/src/index.js';
import { BUNDLED_VERSION } from '../support/bundled.js';
import { closedPort } from '../support/free-port.js';
import { ALERTS_FILE, readYaml, SCRAPE_FILE } from './deploy-files.js';
import { startLiveFleet, type LiveFleet } from './live-registry.js';
import { startLiveSidecar, type LiveSidecar } from './live-sidecar.js';
import { pathOf, requiredBinary } from './required-binary.js';

// The real prometheus binary scrapes a real sidecar, a real registry and a sidecar following it with
// the tplus-sidecar and tplus-registry jobs of deploy/prometheus/scrape.yml (targets rewritten to the
// test's ports, 1 s interval) and loads deploy/prometheus/alerts.yml; then its HTTP API must show the
// tplus series with the right labels.

const prometheus = requiredBinary('prometheus', 'PROMETHEUS');
const WAIT_MS = 30_000;

interface ScrapeJob {
  job_name: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  file_sd_configs?: unknown;
  [k: string]: unknown;
}

/** scrape.yml's `name` job, scraping only `targets`, every second. */
function testJob(name: string, targets: string[]): ScrapeJob {
  const config = readYaml<{ scrape_configs: ScrapeJob[] }>(SCRAPE_FILE);
  const job = config.scrape_configs.find((j) => j.job_name === name);
  if (!job) throw new Error(`scrape.yml has no ${name} job`);
  const labels = job.static_configs?.[0]?.labels ?? {};
  const { file_sd_configs: _fileSd, ...rest } = job;
  void _fileSd;
  return { ...rest, scrape_interval: '1s', scrape_timeout: '1s', static_configs: [{ targets, labels }] };
}

/** The tplus-sidecar and tplus-registry jobs of scrape.yml on the test's targets; the real alert rules loaded. */
function testConfig(sidecarTargets: string[], registryTarget: string): string {
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [ALERTS_FILE],
    scrape_configs: [testJob('tplus-sidecar', sidecarTargets), testJob('tplus-registry', [registryTarget])],
  });
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2_000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

async function query(base: string, promql: string): Promise<Sample[]> {
  return (await api<{ result: Sample[] }>(base, `/api/v1/query?query=${encodeURIComponent(promql)}`)).result;
}

/** Polls `check` every 250 ms until it returns a value, for at most `ms` (bounded count and time). */
async function until<T>(what: string, ms: number, check: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = null;
  for (let i = 0; i < Math.ceil(ms / 250) && Date.now() < end; i++) {
    try {
      const v = await check();
      if (v !== null) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${JSON.stringify(last)}` : ''}`);
}

describe.skipIf(prometheus.skip)('real Prometheus scrapes a real sidecar, a registry and a sidecar following it', () => {
  let sidecar: LiveSidecar;
  let fleet: LiveFleet;
  let prom: ChildProcess | null = null;
  let promLog = '';
  let base = '';
  let dir = '';

  beforeAll(async () => {
    const bin = pathOf(prometheus);
    [sidecar, fleet] = await Promise.all([startLiveSidecar(), startLiveFleet()]);
    // Traffic through the SDK: answers, one NO_RULE, so decision and error series exist. Unary calls
    // (coalesce: false), because the assertions below read the sidecar's GetSettlementDate series.
    const client = createSettlementClient({ address: sidecar.address, deadlineMs: 1_000, registry: new Registry(), coalesce: false });
    try {
      for (const tradeDate of ['2024-05-24', '2024-05-28', '2024-05-29']) {
        await client.getSettlementDate({ tradeDate, assetClass: 'EQUITY', market: 'XNYS' });
      }
      await expect(client.getSettlementDate({ tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XXXX' })).rejects.toBeInstanceOf(
        SettlementError,
      );
    } finally {
      await client.close();
    }
    dir = mkdtempSync(join(tmpdir(), 'tplus-prometheus-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      testConfig([sidecar.metricsTarget, fleet.followerMetricsTarget], fleet.registryMetricsTarget),
    );
    const port = await closedPort();
    base = `http://127.0.0.1:${port}`;
    prom = spawn(
      bin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stdout?.on('data', (c: Buffer) => (promLog += c.toString()));
    prom.stderr?.on('data', (c: Buffer) => (promLog += c.toString()));
    await until('Prometheus to be ready', WAIT_MS, async () => ((await fetch(`${base}/-/ready`)).ok ? true : null)).catch((e: Error) => {
      throw new Error(`${e.message}\nprometheus log:\n${promLog}`);
    });
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null && prom.signalCode === null) {
      const exited = new Promise((r) => prom?.once('close', r));
      prom.kill('SIGTERM');
      const timer = setTimeout(() => prom?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all([sidecar?.stop(), fleet?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('scrapes the target: up == 1 with job tplus-sidecar', async () => {
    const up = await until('a successful scrape', WAIT_MS, async () => {
      const r = await query(base, `up{job="tplus-sidecar", instance="${sidecar.metricsTarget}"} == 1`);
      return r.length > 0 ? r : null;
    });
    expect(up[0]?.metric).toMatchObject({ job: 'tplus-sidecar', instance: sidecar.metricsTarget, component: 'sidecar' });
  });

  it('stores the tplus series with their labels', async () => {
    const labels = { job: 'tplus-sidecar', instance: sidecar.metricsTarget };
    const requests = await until('tplus_requests_total', WAIT_MS, async () => {
      const r = await query(base, 'tplus_requests_total');
      return r.length >= 2 ? r : null;
    });
    expect(requests.map((s) => s.metric)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ...labels, __name__: 'tplus_requests_total', method: 'GetSettlementDate', code: 'OK' }),
        expect.objectContaining({ ...labels, method: 'GetSettlementDate', code: 'NOT_FOUND' }),
      ]),
    );
    expect(requests.find((s) => s.metric['code'] === 'OK')?.value[1]).toBe('3');

    const decisions = (await query(base, 'tplus_decisions_total')).map((s) => [
      s.metric['market'],
      s.metric['asset_class'],
      s.metric['cycle_days'],
      s.value[1],
    ]);
    expect(decisions).toEqual(
      expect.arrayContaining([
        ['XNYS', 'EQUITY', '2', '1'],
        ['XNYS', 'EQUITY', '1', '2'],
      ]),
    );
    expect((await query(base, 'tplus_decision_errors_total{reason="NO_RULE"}'))[0]?.value[1]).toBe('1');
    expect((await query(base, 'tplus_request_duration_seconds_bucket{method="GetSettlementDate", le="0.001"}')).length).toBe(1);
    // The plain sidecar serves the bundled pack, seeded under the version the pack declares.
    expect((await query(base, `tplus_ruleset_version{instance="${sidecar.metricsTarget}"}`))[0]?.value[1]).toBe(String(BUNDLED_VERSION));
    const horizon = await query(base, 'tplus_calendar_horizon_seconds{calendar_id="US-SETTLEMENT"}');
    expect(Number(horizon[0]?.value[1])).toBeGreaterThan(180 * 86_400);
    expect((await query(base, `process_resident_memory_bytes{instance="${sidecar.metricsTarget}"}`)).length).toBe(1);
  });

  it('scrapes the registry (job tplus-registry) and the replication series of the following sidecar only', async () => {
    const registry = { job: 'tplus-registry', instance: fleet.registryMetricsTarget };
    const up = await until('a successful registry scrape', WAIT_MS, async () => {
      const r = await query(base, 'up{job="tplus-registry"} == 1');
      return r.length > 0 ? r : null;
    });
    expect(up[0]?.metric).toMatchObject({ ...registry, component: 'registry' });
    const versions = await until('tplus_registry_versions_total', WAIT_MS, async () => {
      const r = await query(base, 'tplus_registry_versions_total');
      return r.length > 0 ? r : null;
    });
    expect(versions.map((x) => [x.metric, x.value[1]])).toEqual([
      [{ __name__: 'tplus_registry_versions_total', ...registry, component: 'registry' }, '1'],
    ]);
    expect((await query(base, 'tplus_registry_watchers'))[0]?.value[1]).toBe('1');

    const follower = { job: 'tplus-sidecar', instance: fleet.followerMetricsTarget, component: 'sidecar' };
    const staleness = await until('tplus_ruleset_staleness_seconds', WAIT_MS, async () => {
      const r = await query(base, 'tplus_ruleset_staleness_seconds');
      return r.length > 0 ? r : null;
    });
    // Only the follower exports it (the plain sidecar has no registry), and heartbeats keep it low.
    expect(staleness.map((x) => x.metric)).toEqual([{ __name__: 'tplus_ruleset_staleness_seconds', ...follower }]);
    expect(Number(staleness[0]?.value[1])).toBeLessThan(30);
    const rejected = await query(base, 'tplus_snapshot_rejected_total');
    expect(rejected.length).toBeGreaterThanOrEqual(6);
    expect(rejected.every((x) => x.value[1] === '0')).toBe(true);
    expect(rejected.some((x) => x.metric['instance'] === fleet.followerMetricsTarget && x.metric['reason'] === 'bad_signature')).toBe(true);
    expect((await query(base, `tplus_ruleset_version{instance="${fleet.followerMetricsTarget}"}`))[0]?.value[1]).toBe('1');
    // The dashboard's "Versions behind the registry" expression: 0 for the follower, nothing for the plain sidecar.
    const behind = await query(
      base,
      'scalar(max(tplus_registry_versions_total{job="tplus-registry"})) - max by (instance) (tplus_ruleset_version{job="tplus-sidecar"} and on (job, instance) tplus_ruleset_staleness_seconds)',
    );
    expect(behind.map((x) => [x.metric['instance'], x.value[1]])).toEqual([[fleet.followerMetricsTarget, '0']]);
  });

  it('loads alerts.yml: recording rules produce series and NO_RULE raises TplusNoRuleErrorsRising', async () => {
    const groups = (await api<{ groups: { name: string; rules: { health: string; name: string }[] }[] }>(base, '/api/v1/rules')).groups;
    expect(groups.map((g) => g.name).sort()).toEqual([
      'tplus-client',
      'tplus-registry',
      'tplus-rollout',
      'tplus-sidecar',
      'tplus-slo-alerts',
      'tplus-slo-recording',
    ]);
    // Traffic while Prometheus watches, so rate() sees requests: no server error, so the ratio is 0.
    const client = createSettlementClient({ address: sidecar.address, deadlineMs: 1_000, registry: new Registry() });
    let ratio: Sample[];
    try {
      ratio = await until('tplus:request_errors:ratio_rate5m == 0', WAIT_MS, async () => {
        for (let i = 0; i < 20; i++) await client.getSettlementDate({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' });
        const r = await query(base, 'tplus:request_errors:ratio_rate5m');
        return r[0]?.value[1] === '0' ? r : null;
      });
    } finally {
      await client.close();
    }
    expect(ratio[0]?.metric).toEqual({ __name__: 'tplus:request_errors:ratio_rate5m', job: 'tplus-sidecar' });
    const alerts = await until('TplusNoRuleErrorsRising', WAIT_MS, async () => {
      const a = (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(base, '/api/v1/alerts')).alerts;
      return a.some((x) => x.labels['alertname'] === 'TplusNoRuleErrorsRising') ? a : null;
    });
    expect(alerts.find((x) => x.labels['alertname'] === 'TplusNoRuleErrorsRising')).toMatchObject({
      labels: { instance: sidecar.metricsTarget, severity: 'page' },
      state: 'pending',
    });
    for (const g of groups) for (const r of g.rules) expect(r.health, `${r.name} (${promLog})`).not.toBe('err');
  });

  it('a killed registry makes TplusRegistryDown pending; the following sidecar keeps serving', async () => {
    const alertsNow = async (): Promise<{ labels: Record<string, string>; state: string }[]> =>
      (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(base, '/api/v1/alerts')).alerts;
    // Healthy fleet first: no registry or replication alert at all.
    const registryAlerts = [
      'TplusRulesetStale',
      'TplusSnapshotRejected',
      'TplusSyncFailing',
      'TplusRegistryDown',
      'TplusRegistryNotScraped',
      'TplusRegistryNoWatchers',
    ];
    expect((await alertsNow()).filter((a) => registryAlerts.includes(a.labels['alertname'] ?? ''))).toEqual([]);
    await fleet.registry.stop('SIGKILL');
    const alerts = await until('TplusRegistryDown', WAIT_MS, async () => {
      const a = await alertsNow();
      return a.some((x) => x.labels['alertname'] === 'TplusRegistryDown') ? a : null;
    });
    expect(alerts.find((x) => x.labels['alertname'] === 'TplusRegistryDown')).toMatchObject({
      labels: { job: 'tplus-registry', instance: fleet.registryMetricsTarget, severity: 'page' },
      state: 'pending',
    });
    const client = createSettlementClient({ address: fleet.followerAddress, deadlineMs: 1_000, registry: new Registry() });
    try {
      expect(await client.getSettlementDate({ tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' })).toBe('2024-05-29');
    } finally {
      await client.close();
    }
  });
});
