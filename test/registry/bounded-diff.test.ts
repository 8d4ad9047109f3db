/**
 * Issue 13: no Diff can stall the registry. A real `tplus registry` child process on 127.0.0.1:0
 * (gRPC and /metrics), two published versions, plain grpc-js calls from this process.
 */
import { join } from 'node:path';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffResponseMessage } from '../../server/src/registry/registry-wire.js';
import { authMetadata, registryServiceDefinition } from '../../server/src/registry/registry-proto.js';
import { buildServer } from '../integration/sidecar-process.js';
import { bundled, RULES_DIR } from '../support/bundled.js';
import { PUBLISH_TOKEN, READ_TOKEN, registryArgs, registryFixture } from './registry-harness.js';
import { packFiles, registryClient, unary, withClosure } from './registry-client.js';
import { spawnTplus, type TplusProcess } from './tplus-process.js';
import { metricValue, scrape, timed } from './registry-probes.js';

/** The bounds; generous for a loaded 2-core box, but exactly what the issue states. */
const REFUSAL_MS = 100;
const CONCURRENT_READ_MS = 200;
/** 3,660 trade dates from 2026-01-01 (inclusive): the longest legal Diff. */
const LEGAL = { fromDate: '2026-01-01', toDate: '2036-01-08' };

describe('Diff is bounded, yields and stops when its caller goes (real registry process on 127.0.0.1:0)', () => {
  const fx = registryFixture();
  let registry: TplusProcess;
  let client: Client;
  let metricsUrl = '';
  const diff = (request: object, deadlineMs = 20_000): Promise<DiffResponseMessage> =>
    unary<DiffResponseMessage>(client, 'Diff', { fromVersion: 1, toVersion: 2, ...request }, READ_TOKEN, deadlineMs);
  const listVersions = (): Promise<unknown> => unary(client, 'ListVersions', {}, READ_TOKEN, 5_000);

  beforeAll(async () => {
    buildServer();
    registry = spawnTplus(registryArgs(fx, '127.0.0.1:0', ['--metrics-listen', '127.0.0.1:0']));
    const serving = await registry.waitFor('registry_serving');
    metricsUrl = `http://${String(serving['metrics'])}/metrics`;
    client = registryClient(String(serving['address']));
    const base = packFiles(RULES_DIR);
    await unary(client, 'Publish', { files: base, reason: 'v1', author: 'test' }, PUBLISH_TOKEN);
    await unary(client, 'Publish', { files: withClosure(base, '2030-03-13'), reason: 'v2: closure', author: 'test' }, PUBLISH_TOKEN);
    await listVersions(); // connection up before anything is timed
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await registry?.stop('SIGKILL');
    fx.remove();
  });

  it('refuses a 0001-01-01..9999-12-31 Diff (INVALID_ARGUMENT naming to_date and the span) within 100 ms while a concurrent ListVersions answers within 200 ms', async () => {
    const refused = timed(
      diff({ fromDate: '0001-01-01', toDate: '9999-12-31' }, 5_000).then(
        () => null,
        (e: ServiceError) => e,
      ),
    );
    const read = timed(listVersions());
    const [{ value: err, ms: refusalMs }, { ms: readMs }] = await Promise.all([refused, read]);
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toContain('to_date 9999-12-31');
    expect(err?.details).toContain('spans 3652059 days; one Diff compares at most 3660 days');
    expect(refusalMs).toBeLessThan(REFUSAL_MS);
    expect(readMs).toBeLessThan(CONCURRENT_READ_MS);
  });

  it('runs a legal 3,660-day Diff in slices: concurrent ListVersions calls each answer within 200 ms and the event loop is never held 200 ms', async () => {
    await scrape(metricsUrl); // prom-client resets the event-loop delay histogram on each scrape
    let done = false;
    const running = diff(LEGAL).finally(() => (done = true));
    const reads: number[] = [];
    for (let i = 0; i < 200 && !done; i++) reads.push((await timed(listVersions())).ms); // bounded: 200 calls, 5 s deadline each
    const res = await running;
    const lagMax = metricValue(await scrape(metricsUrl), 'nodejs_eventloop_lag_max_seconds');
    expect(res.ranges.map((r) => `${r.market} ${r.assetClass} ${r.from}`)).toContain('XNYS EQUITY 2030-03-12');
    expect(reads.length).toBeGreaterThan(0);
    expect(Math.max(...reads), `ListVersions latencies during the Diff: ${reads.map((ms) => ms.toFixed(0)).join(' ')}`).toBeLessThan(
      CONCURRENT_READ_MS,
    );
    expect(lagMax, `event-loop delay max ${(lagMax * 1000).toFixed(0)} ms`).toBeLessThan(CONCURRENT_READ_MS / 1000);
  });

  it('defaults to a legal window (today and the ten years after it) when no dates are given', async () => {
    const res = await diff({});
    expect(res.ranges.map((r) => `${r.market} ${r.assetClass} ${r.from}`)).toContain('XNYS EQUITY 2030-03-12');
  });

  it('stops a Diff whose caller cancels, or whose deadline passes: no more comparisons are made, audited as such', async () => {
    const comparisons = async (): Promise<number> => metricValue(await scrape(metricsUrl), 'tplus_registry_diff_comparisons_total');
    const before = await comparisons();
    const m = registryServiceDefinition()['Diff'];
    if (!m) throw new Error('Diff');
    const call = client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      { fromVersion: 1, toVersion: 2, ...LEGAL },
      authMetadata(READ_TOKEN),
      {},
      () => undefined,
    );
    for (let i = 0; i < 500 && (await comparisons()) === before; i++) await new Promise((r) => setTimeout(r, 5)); // started
    call.cancel();
    await new Promise((r) => setTimeout(r, 300));
    const afterCancel = await comparisons();
    await new Promise((r) => setTimeout(r, 700));
    expect(await comparisons()).toBe(afterCancel); // nothing more after the cancel
    const keys = new Set(bundled().ruleset.rules.map((r) => `${r.assetClass} ${r.market}`)).size;
    expect(afterCancel - before).toBeLessThan(3_660 * keys); // the whole diff never ran
    const late = await diff(LEGAL, 30).then(
      () => null,
      (e: ServiceError) => e,
    );
    expect(late?.code).toBe(status.DEADLINE_EXCEEDED);
    await new Promise((r) => setTimeout(r, 300));
    const text = await scrape(metricsUrl);
    expect(metricValue(text, 'tplus_registry_requests_total{method="Diff",code="CANCELLED"}')).toBe(1);
    expect(metricValue(text, 'tplus_registry_requests_total{method="Diff",code="DEADLINE_EXCEEDED"}')).toBe(1);
    const db = new Database(join(fx.dir, 'data', 'registry.db'), { readonly: true });
    try {
      const results = db
        .prepare<[], { result: string }>("SELECT result FROM audit WHERE action = 'Diff' ORDER BY id")
        .all()
        .map((r) => r.result);
      expect(results.slice(-2)).toEqual(['CANCELLED', 'DEADLINE_EXCEEDED']);
    } finally {
      db.close();
    }
  });
});
