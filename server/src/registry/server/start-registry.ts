import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, type ServerCredentials } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { startMetricsServer, type MetricsServer } from '../../runtime/index.js';
import { bindNamed, checkStartResources, formatAddress, type ListenAddress } from '../../runtime/index.js';
import { DataDirLock } from '../../store/index.js';
import type { Logger } from '../../runtime/index.js';
import { claimSocketPath, removeSocketFile } from '../../runtime/index.js';
import { serverCredentials } from '../index.js';
import { registryServiceDefinition } from '../index.js';
import { clearUploadScratch } from './publish-pack.js';
import { publishPause } from './publish-pause.js';
import { RegistryLedger } from './registry-ledger.js';
import { RegistryMetrics } from './registry-metrics.js';
import type { EtcdStoreConfig, RegistryConfig } from './registry-config.js';
import { registryService } from './registry-service.js';
import { SqliteBackend } from './sqlite-backend.js';
import { EtcdBackend } from './etcd-backend.js';
import type { RegistryBackend } from './registry-backend.js';
import { parseTokens } from './registry-tokens.js';
import { readPrivateKey, readPublicKey } from '../index.js';
import { RecordIntegrity } from './record-integrity.js';
import { WatchHub } from './watch-hub.js';
import { startApprovalGate } from './approval-expiry.js';
import { addRegistryHealth, type HealthStatus } from './registry-health.js';
import { signHeartbeat } from './sign-fields.js';
import { keyId, type HeartbeatFields } from '@tplus/core';
import type { HeartbeatMessage, VersionRecord } from '../index.js';
import type { Follower } from '../../sync/index.js';
import { followUpstream } from './follow-upstream.js';
import { rolloutServiceDefinition } from '../index.js';
import { RolloutStore } from './rollout-store.js';
import { startRollout, type RolloutHandle } from './start-rollout.js';

export const REGISTRY_DATABASE_FILE = 'registry.db';

export interface RegistryDeps {
  readonly now: () => Date;
  readonly log: Logger;
  readonly registry: Registry;
  readonly processMetrics?: boolean;
}

export interface RegistryHandle {
  /** The bound address: `host:port` (port 0 resolved) or `unix:/path`. */
  readonly address: string;
  readonly metricsAddress: string | null;
  readonly ledger: RegistryLedger;
  close(): Promise<void>;
}

function bind(server: Server, address: string, creds: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port))));
}

/** Opens the registry database, loads the signing key and tokens, and serves RegistryService. */
export async function startRegistry(config: RegistryConfig, deps: RegistryDeps): Promise<RegistryHandle> {
  const { log } = deps;
  // Claimed before the first log line: an expected failure (in use, not writable) is the first line on stderr.
  const lock = DataDirLock.acquire(config.dataDir);
  let staleSocket: boolean;
  try {
    staleSocket = await checkStartResources({
      tcp: [
        { flag: '--listen', address: config.listen.startsWith('unix:') ? null : hostPort(config.listen) },
        { flag: '--metrics-listen', address: config.metricsListen },
      ],
      socket: { flag: '--listen', path: config.listen.startsWith('unix:') ? config.listen.slice(5) : null },
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  if (staleSocket) log.warn('stale_socket_removed', { path: config.listen.slice(5) });
  try {
    return await serveRegistry(config, deps, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** `host:port` or `[v6]:port` as a ListenAddress. */
function hostPort(text: string): ListenAddress {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(text.slice(at + 1)) };
}

async function serveRegistry(config: RegistryConfig, deps: RegistryDeps, lock: DataDirLock): Promise<RegistryHandle> {
  const { log, now } = deps;
  const signingKey = config.signingKeyFile === null ? null : readPrivateKey(config.signingKeyFile);
  if (signingKey === null && !config.upstream) throw new Error('a registry needs a signing key unless it is a relay (--upstream)');
  const creds = serverCredentials(config.tls ?? null); // unreadable certificate files fail here, naming the flag
  const tokens =
    config.tokensFile === null ? parseTokens('', 'none') : parseTokens(readFileSync(config.tokensFile, 'utf8'), config.tokensFile);
  if (tokens.size === 0 && !config.upstream) log.warn('no_tokens', { file: config.tokensFile, note: 'nobody can publish' });
  if (config.drillPublishPauseMs !== undefined)
    log.warn('drill_publish_pause', {
      ms: config.drillPublishPauseMs,
      note: 'tests and drills only: every publish blocks the registry twice',
    });
  mkdirSync(config.dataDir, { recursive: true });
  // etcd first: an unreachable etcd fails the start (STORE_UNAVAILABLE naming the endpoints) before anything is bound.
  const sqlite = config.etcd ? null : SqliteBackend.open(join(config.dataDir, REGISTRY_DATABASE_FILE));
  const store: RegistryBackend =
    sqlite ?? (await EtcdBackend.open(config.etcd as EtcdStoreConfig, (event, fields) => log.warn(event, fields)));
  const server = new Server();
  let metricsServer: MetricsServer | null = null;
  let hub: WatchHub | null = null;
  let rollout: RolloutHandle | null = null;
  let follower: Follower | null = null;
  let socket: string | null = null;
  let stopExpiry = (): void => undefined;
  let lastUpstreamHeartbeat: HeartbeatMessage | null = null; // a relay's: the upstream's last signed heartbeat
  let setHealth: (s: HealthStatus) => void = () => undefined;
  let unsubscribe = (): void => undefined;
  const seen = { version: 0, sha256: '' }; // the latest version seen, for signed heartbeats (read synchronously)
  const release = async (): Promise<void> => {
    setHealth('NOT_SERVING');
    stopExpiry();
    follower?.close();
    unsubscribe();
    hub?.close();
    rollout?.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await metricsServer?.close();
    await store.close();
    if (socket) removeSocketFile(socket);
    lock.release();
  };
  try {
    // Rollout candidates are kept next to the versions in the SQLite file. Over etcd none are accepted
    // (candidate writes are refused, naming the store); the empty in-memory table answers the rest.
    const rolloutState = sqlite ? new RolloutStore(sqlite.store.sqlite, now) : RolloutStore.inMemory(now);
    // The live version (open or aborted rollout candidates are not live); the ledger answers it once built.
    let liveVersion = (): number => store.latestVersion();
    const metrics = new RegistryMetrics(deps.registry, store.latestVersion(), deps.processMetrics ?? true);
    const liveHub = (hub = new WatchHub({
      heartbeatMs: config.heartbeatMs,
      latestVersion: () => liveVersion(),
      latestSha256: () => (seen.version === liveVersion() ? seen.sha256 : ''),
      ...(signingKey === null
        ? { upstreamHeartbeat: () => lastUpstreamHeartbeat }
        : { signHeartbeat: (f: HeartbeatFields) => ({ signature: signHeartbeat(f, signingKey), keyId: keyId(signingKey) }) }),
      now,
      onCount: (n) => metrics.watcherCount(n),
      onDropped: (reason, detail) => (metrics.watchDropped(reason), log.warn('watch_dropped', { reason, ...detail })),
    }));
    // What every stored version must verify with: our own key, or (on a relay) the upstream's.
    const verifyKey = signingKey !== null ? createPublicKey(signingKey) : readPublicKey(config.upstream?.publicKeyFile ?? '');
    const trusted = [verifyKey, ...(config.trustedPublicKeyFiles ?? []).map(readPublicKey)];
    const integrity = new RecordIntegrity(trusted, (version, problem, count) => {
      metrics.corruptVersions(count);
      log.error('registry_version_corrupt', {
        version,
        problem,
        file: store.location,
        note: 'never sent; publish again or roll back to create a good version',
      });
    });
    const ledger = new RegistryLedger({
      store,
      scratchDir: clearUploadScratch(config.dataDir),
      signingKey,
      integrity,
      ...(config.upstream ? { upstream: config.upstream.address } : {}),
      now,
      ...(config.drillPublishPauseMs === undefined ? {} : { pause: publishPause(config.drillPublishPauseMs, log) }),
      hidden: (version) => rolloutState.hidden(version),
      beforeAppend: () => rolloutState.refuseWhileOpen(),
    });
    liveVersion = () => ledger.liveVersion();
    // A version becomes live (published, or a promoted candidate): heartbeats name it, Watch streams get it.
    const goesLive = (record: VersionRecord): void => {
      if (record.version > seen.version) Object.assign(seen, { version: record.version, sha256: record.sha256 });
      liveHub.publish(record);
    };
    // Every version committed from now on, by this process or another replica, once and in order.
    unsubscribe = store.onVersion((record) => {
      metrics.versionAppended();
      log.info(config.upstream ? 'version_replicated' : 'version_published', {
        version: record.version,
        sha256: record.sha256,
        rollbackOf: record.rollbackOf,
        author: record.author,
        reason: record.reason,
      });
      // A candidate is recorded in its version's transaction, so it is already hidden here: not live,
      // not in heartbeats, not sent on Watch (its followers get it on their rollout stream).
      if (!rolloutState.hidden(record.version)) goesLive(record);
    });
    await ledger.verifyAll();
    const latestAtStart = await ledger.live();
    if (latestAtStart !== null && latestAtStart.version > seen.version)
      Object.assign(seen, { version: latestAtStart.version, sha256: latestAtStart.sha256 });
    const expiry = startApprovalGate(config.approvalTtlMs, { ledger, now, log });
    stopExpiry = () => expiry.close();
    const approvals = expiry.gate;
    const certificateIdentities = config.tls !== undefined && config.tls.clientCaFile !== null;
    server.addService(
      registryServiceDefinition(),
      registryService({
        ledger,
        approvals,
        hub: liveHub,
        diffProgress: (n) => metrics.diffCompared(n),
        stageOf: (version) => rolloutState.get(version)?.stage ?? '',
        tokens,
        certificateIdentities,
        audit: (entry) => void store.audit(entry).catch((err: unknown) => log.error('audit_failed', { error: err })),
        now,
        onInternalError: (method, err) => log.error('internal_error', { method, error: err }),
        onAuditFailed: (err) => log.error('audit_failed', { error: err }),
        requestDone: (method, code) => metrics.requestDone(method, code),
      }),
    );
    setHealth = addRegistryHealth(server);
    const candidatesUnsupported = sqlite ? null : store.location;
    rollout = startRollout({
      state: rolloutState,
      ledger,
      live: goesLive,
      tokens,
      certificateIdentities,
      store,
      log,
      now,
      registry: deps.registry,
      metrics,
      candidatesUnsupported,
      requireApproval: approvals !== null,
    });
    server.addService(rolloutServiceDefinition(), rollout.handlers);
    let address = config.listen;
    if (config.listen.startsWith('unix:')) {
      socket = config.listen.slice(5);
      if (await claimSocketPath(socket)) log.warn('stale_socket_removed', { path: socket });
      await bind(server, config.listen, creds);
    } else {
      const port = await bindNamed('--listen', config.listen, () => bind(server, config.listen, creds));
      address = `${config.listen.slice(0, config.listen.lastIndexOf(':'))}:${port}`;
    }
    setHealth('SERVING');
    const metricsAt = config.metricsListen;
    if (metricsAt)
      metricsServer = await bindNamed('--metrics-listen', formatAddress(metricsAt), () =>
        startMetricsServer(deps.registry, metricsAt.host, metricsAt.port),
      );
    log.info('registry_serving', {
      address,
      metrics: metricsServer?.address ?? null,
      latestVersion: store.latestVersion(),
      store: store.location,
      keyId: ledger.keyId,
      readNeedsToken: tokens.readRequiresToken,
      relayOf: config.upstream?.address ?? null,
      tls: config.tls ? (config.tls.clientCaFile === null ? 'server' : 'mutual') : 'off',
      requireApproval: config.approvalTtlMs !== undefined,
    });
    if (config.upstream && sqlite)
      follower = followUpstream(config.upstream, {
        store: sqlite,
        log,
        registry: deps.registry,
        now,
        onSignedHeartbeat: (h) => (lastUpstreamHeartbeat = h),
      });
    let closing: Promise<void> | null = null;
    return {
      address,
      metricsAddress: metricsServer?.address ?? null,
      ledger,
      close: () => (closing ??= release().then(() => log.info('registry_stopped', {}))),
    };
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
}
