import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packFiles } from '../registry/index.js';
import { generateSigningKeys, readPublicKey } from '../registry/index.js';
import { startEtcdCluster } from './etcd-cluster.js';
import type { BenchResult, Stats } from './measure.js';
import { BENCH_TOKEN, registryScenario, type ScenarioResult } from './registry-scenario.js';
import { ServerProcess } from './server-process.js';

const TPLUS_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const RULES = fileURLToPath(new URL('../../rules', import.meta.url));

function result(name: string, s: Stats, baselineName: string, baseline: Stats, repetitions: number): BenchResult {
  return {
    name,
    unit: 'ms',
    value: s.median,
    min: s.min,
    max: s.max,
    baselineName,
    baselineValue: baseline.median,
    ratio: s.median / baseline.median,
    repetitions,
  };
}

/**
 * Publish latency and publish-to-converged (1, 10, 100 followers) of one registry process over its
 * SQLite file, then the same (1 and 100 followers) over a 3-member etcd on loopback (`--store etcd`,
 * needs the `etcd` program), each etcd figure as a ratio to SQLite's in the same run.
 */
export async function registryBench(repetitions: number, log: (line: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-registry-bench-'));
  const keys = generateSigningKeys(join(dir, 'keys'));
  writeFileSync(join(dir, 'tokens'), `publish ${BENCH_TOKEN}\n`);
  const publicKey = readPublicKey(keys.publicKeyFile);
  const base = packFiles(RULES);
  const run = async (name: string, extra: readonly string[], followers: readonly number[]): Promise<ScenarioResult> => {
    const socket = join(dir, `${name}.sock`);
    const registry = await ServerProcess.start(
      [
        TPLUS_MAIN,
        'registry',
        ...['--data-dir', join(dir, name), '--listen', `unix:${socket}`, '--metrics-listen', 'off'],
        ...['--signing-key', keys.privateKeyFile, '--tokens', join(dir, 'tokens'), ...extra],
      ],
      { socket },
    );
    try {
      const r = await registryScenario(`unix:${socket}`, publicKey, base, followers, repetitions);
      for (const [n, s] of r.converged)
        log(
          `registry (${name}) publish → ${n} follower(s) verified: median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`,
        );
      log(
        `registry (${name}) publish answered: median ${r.publish.median.toFixed(0)} ms (min ${r.publish.min.toFixed(0)}, max ${r.publish.max.toFixed(0)})`,
      );
      return r;
    } finally {
      await registry.stop();
    }
  };
  try {
    const sqlite = await run('sqlite', [], [1, 10, 100]);
    const one = sqlite.converged.get(1) as Stats;
    const results = [...sqlite.converged].map(([n, s]) =>
      result(`registry publish-to-converged, ${n} follower(s)`, s, 'registry publish-to-converged, 1 follower', one, repetitions),
    );
    const etcd = await startEtcdCluster(3);
    let over: ScenarioResult;
    try {
      over = await run('etcd', ['--store', 'etcd', '--etcd-endpoints', etcd.endpoints], [1, 100]);
    } finally {
      await etcd.stop();
    }
    const sqlitePublish = 'registry publish latency, sqlite';
    results.push(result(sqlitePublish, sqlite.publish, sqlitePublish, sqlite.publish, repetitions));
    results.push(result('registry publish latency, etcd (3 members)', over.publish, sqlitePublish, sqlite.publish, repetitions));
    for (const n of [1, 100]) {
      const [e, s] = [over.converged.get(n), sqlite.converged.get(n)];
      if (e && s)
        results.push(
          result(
            `registry publish-to-converged, ${n} follower(s), etcd`,
            e,
            `registry publish-to-converged, ${n} follower(s)`,
            s,
            repetitions,
          ),
        );
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
