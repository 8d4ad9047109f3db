import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSettlementClient } from '@tplus/client-sdk';
import { rulesetHash, type RulesetDocument } from '@tplus/core';
import { Registry } from 'prom-client';
import { DEFAULT_LIMITS } from '../sidecar/index.js';
import type { LogFields, Logger } from '../runtime/index.js';
import { BUNDLED_RULES_DIR } from '../sidecar/index.js';
import { startSidecar } from '../sidecar/index.js';
import type { BenchResult } from './measure.js';

const ACTIVATIONS = 20;
/** Per activation: give up (and fail the bench) when the client has not answered from it by then. */
const WAIT_MS = 10_000;

/** The q-quantile of samples (nearest rank): with 20 samples p99 is the slowest one. */
function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** The bundled document with one rule renamed: a distinct sha256 per version, same answers. */
function variant(
  base: RulesetDocument,
  version: number,
): { version: number; hash: string; source: string; publishedAt: string; document: RulesetDocument } {
  const document = { ...base, rules: base.rules.map((r, i) => (i === 0 ? { ...r, name: `${r.name} (bench v${version})` } : r)) };
  return { version, hash: rulesetHash(document), source: 'bench', publishedAt: new Date().toISOString(), document };
}

/**
 * Time from a sidecar activating a version to an in-process client answering from it: a sidecar
 * (started in this process, serving a Unix socket) installs 20 new versions one after another
 * (handle.install: store, verify, build, swap, push to WatchRuleset); each is timed from the sidecar's
 * `ruleset_active` log line to the client's `rulesetActivated` event, after which decideSync must
 * answer with that version. Baseline: the sidecar's own install() time for the same versions.
 */
export async function activationBench(document: RulesetDocument, log: (line: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-activation-bench-'));
  const activeAt = new Map<number, number>();
  const record = (event: string, fields?: LogFields): void => {
    if (event === 'ruleset_active' && typeof fields?.['version'] === 'number') activeAt.set(fields['version'], performance.now());
  };
  const logger: Logger = { info: record, warn: () => undefined, error: () => undefined };
  const socket = join(dir, 'tplus.sock');
  const config = {
    dataDir: dir,
    listen: null,
    socket,
    metricsListen: null,
    rulesDir: BUNDLED_RULES_DIR,
    keepVersions: 3,
    shutdownGraceMs: 1_000,
    limits: DEFAULT_LIMITS,
  };
  const handle = await startSidecar(config, { clock: () => new Date(), log: logger, registry: new Registry(), processMetrics: false });
  const client = createSettlementClient({ address: `unix://${socket}`, mode: 'in-process', deadlineMs: 5_000, onAlert: () => undefined });
  const seenAt = new Map<number, number>();
  client.on('rulesetActivated', (e) => seenAt.set(e.version, performance.now()));
  const latencies: number[] = [];
  const installs: number[] = [];
  try {
    await client.ready({ timeoutMs: 20_000 });
    const first = handle.current().active.ruleset.version;
    for (let i = 1; i <= ACTIVATIONS; i++) {
      const version = first + i;
      const entry = variant(document, version);
      const started = performance.now();
      handle.install(entry);
      installs.push(performance.now() - started);
      const deadline = Date.now() + WAIT_MS;
      while (!seenAt.has(version) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      const answered = client.decideSync({ tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' }).rulesetVersion;
      const active = activeAt.get(version);
      const seen = seenAt.get(version);
      if (active === undefined || seen === undefined || answered !== version)
        throw new Error(`activation ${version}: the client answered from ${answered} after ${WAIT_MS} ms`);
      latencies.push(seen - active);
    }
  } finally {
    await client.close();
    await handle.close({ immediate: true });
    rmSync(dir, { recursive: true, force: true });
  }
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  const install50 = quantile(installs, 0.5);
  log(
    `activation -> in-process client answering: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${ACTIVATIONS} (sidecar install() p50 ${install50.toFixed(1)} ms)`,
  );
  const base = {
    unit: 'ms',
    min: Math.min(...latencies),
    max: Math.max(...latencies),
    baselineName: 'sidecar install() p50 (store, verify, build, swap)',
    baselineValue: install50,
    repetitions: ACTIVATIONS,
  };
  return [
    { name: `activation -> in-process answer p50 (${ACTIVATIONS} versions)`, value: p50, ratio: p50 / install50, ...base },
    { name: `activation -> in-process answer p99 (${ACTIVATIONS} versions)`, value: p99, ratio: p99 / install50, ...base },
  ];
}
