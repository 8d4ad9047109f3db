import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { createSettlementServer } from './create-settlement-server.js';
import { DrillControl } from './drill-control.js';
import { drillService, drillServiceDefinition } from './drill-service.js';
import { RulesetHolder } from './ruleset-holder.js';
import { RulesetWatchers, type SyncState } from './ruleset-watchers.js';
import { SidecarMetrics } from './sidecar-metrics.js';
import { startMetricsServer, type MetricsServer } from '../runtime/index.js';
import type { RulesetSnapshot } from '../store/index.js';
import { RulesetStore } from '../store/index.js';
import type { StoredRuleset } from '../store/index.js';
import { syncBundledPack } from '../store/index.js';
import { warmCalendarsLike, warmCalendarsLikeSliced, type Ruleset } from '@tplus/core';
import type { Follower } from '../sync/index.js';
import type { VerifiedSnapshot } from '../sync/index.js';
import { refuseForeignStore, startFollowing } from '../sync/index.js';
import { SnapshotRejections } from '../sync/index.js';
import { storedSignatureCheck } from '../sync/index.js';
import { readPublicKey } from '../registry/index.js';
import { loadVerifiedCopy } from './load-verified-copy.js';
import { dayOf, heapSettler, type Clock } from '../runtime/index.js';
import type { Logger } from '../runtime/index.js';
import { formatAddress, type SidecarConfig } from './sidecar-config.js';
import { shutdownSidecar, type Closeable } from './shutdown-sidecar.js';
import { bindNamed, claimSocketPath } from '../runtime/index.js';
import { claimStart } from './claim-start.js';
import { ShadowEvaluator } from './shadow-evaluator.js';
import { shadowService, shadowServiceDefinition } from './shadow-service.js';
import { followRollout } from './follow-rollout.js';
import type { RolloutFollower } from '../sync/index.js';

export const DATABASE_FILE = 'rulesets.db';
/** WatchRuleset heartbeats: an in-process SDK client counts the sidecar gone after three missed ones. */
export const WATCH_RULESET_HEARTBEAT_MS = 1_000;
/** How long the event loop must be idle before the sidecar gives start-up's young generation back: longer than the 5 s over which V8 judges the allocation rate. */
const HEAP_SETTLE_QUIET_MS = 6_000;

export interface SidecarDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** The sidecar's own metrics registry. */
  readonly registry: Registry;
  /** Node process metrics in the registry (default true). */
  readonly processMetrics?: boolean;
}

export interface SidecarHandle {
  /** `host:port` actually bound (port 0 resolved), or null. */
  readonly tcpAddress: string | null;
  readonly socketPath: string | null;
  readonly metricsAddress: string | null;
  /** The snapshot requests are answered from right now. */
  current(): RulesetSnapshot;
  /**
   * Stores a version, makes it active and swaps it in atomically (the path replication uses).
   * `prebuilt`: the Ruleset verification already built for it, used instead of building it again.
   */
  install(entry: StoredRuleset, prebuilt?: Ruleset): RulesetSnapshot;
  /**
   * Graceful shutdown: NOT_SERVING, stop accepting, drain in-flight calls (bounded), close SQLite,
   * remove the socket. Idempotent; `immediate` cancels what is still in flight, cleanup still runs.
   */
  close(options?: { readonly immediate?: boolean }): Promise<void>;
}

/** `previous` plus a version already built (by verification), so the load reuses it instead of building it again. */
function withPrebuilt(previous: RulesetSnapshot | null, entry: StoredRuleset, prebuilt: Ruleset | undefined): RulesetSnapshot | null {
  if (previous === null || prebuilt === undefined || prebuilt.version !== entry.version || prebuilt.hash !== entry.hash) return previous;
  const held = new Map(previous.held);
  held.set(entry.version, { ruleset: prebuilt, source: entry.source, publishedAt: entry.publishedAt, signed: entry.signed ?? null });
  return { ...previous, held };
}

/** Opens the store (seeding it when empty), verifies and builds the in-memory index, and starts serving. */
export async function startSidecar(config: SidecarConfig, deps: SidecarDeps): Promise<SidecarHandle> {
  const { clock, log } = deps;
  const { lock, staleSocket } = await claimStart(config);
  log.info('sidecar_starting', { dataDir: config.dataDir, rulesDir: config.rulesDir, pid: process.pid });
  if (staleSocket) log.warn('stale_socket_removed', { path: config.socket });
  const resources: Closeable = { store: null, grpc: null, metrics: null, socket: null, lock };
  let follower: Follower | null = null;
  let rollout: RolloutFollower | null = null;
  try {
    const store = (resources.store = RulesetStore.open(join(config.dataDir, DATABASE_FILE), {
      keepVersions: config.keepVersions,
      now: () => clock().toISOString(),
    }));
    const copy = {
      store,
      log,
      rejections: new SnapshotRejections(deps.registry),
      check: config.follow ? storedSignatureCheck(config.follow.publicKeyFiles.map(readPublicKey)) : null,
    };
    if (config.follow) refuseForeignStore(store);
    let holder: RulesetHolder | null = null;
    let initial = loadVerifiedCopy(copy, clock().toISOString(), null);
    // Until the in-memory index exists, versions only go to the store; then each is swapped in too.
    let install = (v: VerifiedSnapshot): void => store.add(v.entry, true);
    let hold = (v: VerifiedSnapshot): void => store.add(v.entry, false);
    if (config.follow) {
      const served = initial.snapshot?.active.ruleset.version ?? 0;
      follower = await startFollowing(config.follow, {
        store,
        log,
        registry: deps.registry,
        rejections: copy.rejections,
        now: clock,
        localVersion: () => holder?.current.active.ruleset.version ?? store.activeVersion() ?? 0,
        install: (v) => install(v),
        // The calendars in use get their tables between answers, before the swap (core/warm-calendars.ts).
        prepare: (r, yielder) => (holder ? warmCalendarsLikeSliced(r, holder.current.active.ruleset, yielder) : Promise.resolve()),
        refetch: { versions: initial.quarantined, hold: (v) => hold(v) },
        wait: served === 0 ? 'require' : served < store.highestActivated() ? 'prefer' : 'none',
      });
    } else {
      const at = clock();
      const sync = syncBundledPack(store, { rulesDir: config.rulesDir, today: dayOf(at), now: at.toISOString() });
      if (sync.action === 'pack-invalid') log.warn('bundled_pack_invalid', { problems: sync.problems });
      else if ('declaredVersion' in sync) log.warn('bundled_pack_version_taken', { ...sync, file: store.file });
      else log.info(`ruleset_${sync.action.replace('-', '_')}`, { ...sync, file: store.file });
    }
    initial = loadVerifiedCopy(copy, clock().toISOString(), initial.snapshot);
    if (initial.snapshot === null) throw new Error(`no usable ruleset in ${store.file}`);
    const live = (holder = new RulesetHolder(initial.snapshot));
    const metrics = new SidecarMetrics({
      registry: deps.registry,
      now: clock,
      calendars: () => live.current.active.ruleset.calendars.values(),
      processMetrics: deps.processMetrics ?? true,
    });
    const following = follower;
    // Building a ruleset grows V8's young generation; give it back once the process is quiet (runtime/heap-settle.ts).
    const settler = heapSettler({ quietMs: HEAP_SETTLE_QUIET_MS, onSettled: (r) => log.info('heap_settled', { ...r }) });
    const sync = (): SyncState => ({ following: following !== null, stalenessSeconds: following?.stalenessSeconds() ?? 0 });
    const watchers = new RulesetWatchers({
      current: () => live.current,
      heartbeatMs: WATCH_RULESET_HEARTBEAT_MS,
      maxBufferedBytes: config.limits.maxWatchUnsentBytes,
      now: clock,
      sync,
      onDropped: (unsentBytes) =>
        log.warn('watch_ruleset_dropped', {
          unsentBytes,
          bound: config.limits.maxWatchUnsentBytes,
          note: 'the client stopped reading; it may reconnect',
        }),
    });
    const activated = (snapshot: RulesetSnapshot, calendarsWarmed = 0): void => {
      const r = snapshot.active.ruleset;
      watchers.activated(snapshot);
      settler.schedule();
      metrics.rulesetActivated(r.version, new Date(snapshot.loadedAt), snapshot.lastActivatedVersion);
      log.info('ruleset_active', {
        version: r.version,
        hash: r.hash,
        source: snapshot.active.source,
        rules: r.rules.length,
        held: [...snapshot.held.keys()],
        calendarsWarmed,
      });
      if (r.version < snapshot.lastActivatedVersion) {
        log.error('serving_older_version', {
          version: r.version,
          lastActivatedVersion: snapshot.lastActivatedVersion,
          note: 'the newer version failed verification at rest and could not be fetched again',
        });
      }
    };
    activated(live.current);
    /** Re-reads the store after a change and swaps the result in; `expect` must then be held (and active when `activate`). */
    const reload = (entry: StoredRuleset, prebuilt: Ruleset | undefined, activate: boolean): RulesetSnapshot => {
      // loadedAt is when the active version was activated: a version only held keeps it.
      const loadedAt = activate ? clock().toISOString() : live.current.loadedAt;
      const next = loadVerifiedCopy(copy, loadedAt, withPrebuilt(live.current, entry, prebuilt)).snapshot;
      if (next === null || !next.held.has(entry.version) || (activate && next.active.ruleset.version !== entry.version)) {
        throw new Error(`version ${entry.version} was stored but could not be ${activate ? 'activated' : 'held'}`);
      }
      // The calendars this sidecar has answered for get their tables before the new version answers.
      const warmed = activate ? warmCalendarsLike(next.active.ruleset, live.current.active.ruleset) : 0;
      live.swap(next);
      if (activate) activated(next, warmed);
      return next;
    };
    const installEntry = (entry: StoredRuleset, prebuilt?: Ruleset): RulesetSnapshot => {
      store.add(entry, true);
      return reload(entry, prebuilt, true);
    };
    install = (v) => void installEntry(v.entry, v.ruleset);
    /** Makes an already held version active again (a candidate aborted or halted: back to live). */
    const reactivate = (version: number): void => {
      store.activate(version);
      const next = loadVerifiedCopy(copy, clock().toISOString(), live.current).snapshot;
      if (next?.active.ruleset.version !== version) throw new Error(`version ${version} could not be made active again`);
      const warmed = warmCalendarsLike(next.active.ruleset, live.current.active.ruleset);
      live.swap(next);
      activated(next, warmed);
    };
    const shadow = config.follow && config.rollout ? new ShadowEvaluator(deps.registry, config.rollout.sidecarId) : null;
    hold = (v) => {
      store.add(v.entry, false);
      reload(v.entry, v.ruleset, false);
    };
    // Drill faults exist only with --allow-drills; otherwise DrillService is not even registered.
    const drills = config.allowDrills ? new DrillControl(deps.registry, log, clock) : null;
    const grpc = (resources.grpc = createSettlementServer({
      holder: live,
      watchers,
      sync,
      observer: metrics,
      limits: config.limits,
      now: clock,
      onInternalError: (method, err) => log.error('internal_error', { method, error: err }),
      ...(drills ? { injectedLatency: drills.latency } : {}),
      ...(shadow ? { shadow } : {}),
    }));
    if (drills) grpc.server.addService(drillServiceDefinition(), drillService(drills));
    if (shadow) grpc.server.addService(shadowServiceDefinition(), shadowService(shadow));
    let tcpAddress: string | null = null;
    if (config.listen) {
      const address = formatAddress(config.listen);
      const port = await bindNamed('--listen', address, () => grpc.bind(address));
      tcpAddress = formatAddress({ host: config.listen.host, port });
      log.info('listening', { transport: 'tcp', address: tcpAddress });
    }
    if (config.socket) {
      if (await claimSocketPath(config.socket)) log.warn('stale_socket_removed', { path: config.socket });
      await grpc.bind(`unix:${config.socket}`);
      resources.socket = config.socket;
      log.info('listening', { transport: 'unix', path: config.socket });
    }
    let metricsServer: MetricsServer | null = null;
    if (config.metricsListen) {
      const { host, port } = config.metricsListen;
      metricsServer = resources.metrics = await bindNamed('--metrics-listen', formatAddress({ host, port }), () =>
        startMetricsServer(deps.registry, host, port),
      );
      log.info('metrics_listening', { url: `http://${metricsServer.address}/metrics` });
    }
    if (config.follow && config.rollout && shadow)
      rollout = followRollout(config.follow, config.rollout, {
        log,
        shadow,
        current: () => live.current,
        staleness: () => following?.stalenessSeconds() ?? 0,
        install: (v) => void installEntry(v.entry, v.ruleset),
        hold: (v) => hold(v),
        reactivate,
        keepVersions: config.keepVersions,
      });
    grpc.setServing(true);
    log.info('serving', { rulesetVersion: live.current.active.ruleset.version });
    let closing: Promise<void> | null = null;
    let forceNow: (() => void) | null = null;
    return {
      tcpAddress,
      socketPath: config.socket,
      metricsAddress: metricsServer?.address ?? null,
      current: () => live.current,
      install: installEntry,
      close: (options) => {
        follower?.close();
        rollout?.close();
        watchers.close();
        settler.close();
        drills?.close();
        if (options?.immediate) forceNow?.();
        closing ??= shutdownSidecar(resources, log, config.shutdownGraceMs, (force) => {
          forceNow = force;
          if (options?.immediate) force();
        });
        return closing;
      },
    };
  } catch (err) {
    follower?.close();
    rollout?.close();
    await shutdownSidecar(resources, log, 0, (force) => force()).catch(() => undefined);
    throw err;
  }
}
