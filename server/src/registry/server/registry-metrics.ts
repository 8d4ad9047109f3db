import { status } from '@grpc/grpc-js';
import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import type { WatchDropReason } from './watch-hub.js';

/** The registry's Prometheus metrics, on its own prom-client Registry. */
export class RegistryMetrics {
  private readonly versions: Counter;
  private readonly watchers: Gauge;
  private readonly requests: Counter<'method' | 'code'>;
  private readonly corrupt: Gauge;
  private readonly watchDrops: Counter<'reason'>;
  private readonly diffComparisons: Counter;

  constructor(registry: Registry, initialVersions: number, processMetrics = true) {
    const registers = [registry];
    this.versions = new Counter({
      name: 'tplus_registry_versions_total',
      help: 'Ruleset versions published (all time, rollbacks included).',
      registers,
    });
    this.versions.inc(initialVersions);
    this.watchers = new Gauge({ name: 'tplus_registry_watchers', help: 'Open Watch streams.', registers });
    this.requests = new Counter({
      name: 'tplus_registry_requests_total',
      help: 'RegistryService calls, by method and final status code.',
      labelNames: ['method', 'code'],
      registers,
    });
    this.corrupt = new Gauge({
      name: 'tplus_registry_corrupt_versions',
      help: 'Stored versions that fail verification (altered at rest): never sent; found at start or on read.',
      registers,
    });
    this.watchDrops = new Counter({
      name: 'tplus_registry_watch_dropped_total',
      help: 'Watch streams the registry dropped, by reason (slow_consumer: the client stopped reading and the bytes waiting for it passed the bound).',
      labelNames: ['reason'],
      registers,
    });
    this.diffComparisons = new Counter({
      name: 'tplus_registry_diff_comparisons_total',
      help: 'Trade date × key comparisons made by Diff calls (counted per slice of work).',
      registers,
    });
    if (processMetrics) collectDefaultMetrics({ register: registry });
  }

  versionAppended(): void {
    this.versions.inc();
  }

  corruptVersions(count: number): void {
    this.corrupt.set(count);
  }

  watcherCount(count: number): void {
    this.watchers.set(count);
  }

  watchDropped(reason: WatchDropReason): void {
    this.watchDrops.inc({ reason });
  }

  diffCompared(comparisons: number): void {
    this.diffComparisons.inc(comparisons);
  }

  requestDone(method: string, code: status): void {
    this.requests.inc({ method, code: status[code] ?? String(code) });
  }
}
