/** Test support for the sidecar: a real server in a temp dir, and a real grpc-js client from the .proto. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, Metadata, type ClientDuplexStream, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Registry } from 'prom-client';
import { afterAll, beforeAll } from 'vitest';
import type { RulesetHolder } from '../../server/src/sidecar/ruleset-holder.js';
import { RulesetWatchers } from '../../server/src/sidecar/ruleset-watchers.js';
import { DEFAULT_LIMITS, type ServerLimits } from '../../server/src/sidecar/server-limits.js';
import { PROTO_ROOT, SETTLEMENT_PROTO_FILE, SETTLEMENT_SERVICE_NAME } from '../../server/src/rpc/settlement-proto.js';
import { decodeStatusDetails, type ErrorInfo } from '../../server/src/rpc/status-details.js';
import { memoryLogger } from '../../server/src/runtime/json-logger.js';
import { BUNDLED_RULES_DIR } from '../../server/src/sidecar/run-serve.js';
import type { SidecarConfig } from '../../server/src/sidecar/sidecar-config.js';
import { startSidecar, type SidecarHandle } from '../../server/src/sidecar/start-sidecar.js';

/** The fixed "now" of these tests. */
export const NOW = new Date('2026-11-27T09:30:00.000Z');

export function tempDir(prefix = 'tplus-'): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestSidecar {
  readonly handle: SidecarHandle;
  readonly registry: Registry;
  readonly logs: Record<string, unknown>[];
  readonly dir: string;
  readonly config: SidecarConfig;
  /** `127.0.0.1:port` and `unix:///path`. */
  readonly addresses: { readonly tcp: string; readonly unix: string };
  stop(): Promise<void>;
}

export interface TestSidecarOptions {
  readonly limits?: Partial<ServerLimits>;
  readonly keepVersions?: number;
  readonly shutdownGraceMs?: number;
  readonly metrics?: boolean;
  readonly dataDir?: string;
  readonly rulesDir?: string;
}

/** A sidecar on 127.0.0.1:0 and a Unix socket in a fresh temp dir; `stop()` closes it and removes the dir. */
export async function startTestSidecar(options: TestSidecarOptions = {}): Promise<TestSidecar> {
  const dir = tempDir('tplus-sidecar-');
  const dataDir = options.dataDir ?? dir.path;
  const config: SidecarConfig = Object.freeze({
    dataDir,
    listen: { host: '127.0.0.1', port: 0 },
    socket: join(dataDir, 'tplus.sock'),
    metricsListen: options.metrics ? { host: '127.0.0.1', port: 0 } : null,
    rulesDir: options.rulesDir ?? BUNDLED_RULES_DIR,
    keepVersions: options.keepVersions ?? 5,
    shutdownGraceMs: options.shutdownGraceMs ?? 2_000,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
  const log = memoryLogger(() => NOW);
  const registry = new Registry();
  let handle: SidecarHandle;
  try {
    handle = await startSidecar(config, { clock: () => NOW, log, registry, processMetrics: options.metrics ?? false });
  } catch (err) {
    dir.remove();
    throw err;
  }
  return {
    handle,
    registry,
    logs: log.lines,
    dir: dataDir,
    config,
    addresses: { tcp: handle.tcpAddress ?? '', unix: `unix://${handle.socketPath ?? ''}` },
    stop: async () => {
      await handle.close({ immediate: true });
      dir.remove();
    },
  };
}

const definition = loadSync(SETTLEMENT_PROTO_FILE, {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
});
export const SERVICE = definition[SETTLEMENT_SERVICE_NAME] as ServiceDefinition;

export type Message = Record<string, unknown>;

/** A real grpc-js client calling SettlementService methods by name. */
export class TestClient {
  readonly raw: Client;

  constructor(address: string, options: Record<string, number> = {}) {
    this.raw = new Client(address, credentials.createInsecure(), options);
  }

  call<T = Message>(method: string, request: object, deadlineMs = 10_000): Promise<T> {
    const m = SERVICE[method];
    if (!m) throw new Error(`no method ${method}`);
    return new Promise<T>((resolve, reject) => {
      this.raw.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (err: ServiceError | null, value?: unknown) => (err ? reject(err) : resolve(value as T)),
      );
    });
  }

  /** The error a call fails with (throws when it succeeds). */
  async failure(method: string, request: object): Promise<ServiceError> {
    try {
      await this.call(method, request);
    } catch (err) {
      return err as ServiceError;
    }
    throw new Error(`${method} unexpectedly succeeded`);
  }

  stream(deadlineMs = 120_000): ClientDuplexStream<object, Message> {
    const m = SERVICE['StreamSettlementDates'] as ServiceDefinition[string];
    return this.raw.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new Metadata(), {
      deadline: Date.now() + deadlineMs,
    }) as ClientDuplexStream<object, Message>;
  }

  close(): void {
    this.raw.close();
  }
}

export interface ErrorReport {
  readonly code: number;
  readonly message: string;
  readonly reason: string | undefined;
  readonly info: ErrorInfo | undefined;
}

/** What a client can branch on: status code, message, `tplus-error-reason`, and the decoded ErrorInfo. */
export function errorReport(err: ServiceError): ErrorReport {
  const reason = err.metadata.get('tplus-error-reason')[0];
  const bin = err.metadata.get('grpc-status-details-bin')[0];
  const info = Buffer.isBuffer(bin) ? decodeStatusDetails(bin).errorInfos[0] : undefined;
  return { code: err.code, message: err.details, reason: typeof reason === 'string' ? reason : undefined, info };
}

/** Resolves after `ms`; unref'd so a failing test never hangs on it. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** WatchRuleset streams for a server built directly in a test (no sidecar around it: nothing is activated later). */
export function testWatchers(holder: RulesetHolder): RulesetWatchers {
  return new RulesetWatchers({
    current: () => holder.current,
    heartbeatMs: 1_000,
    maxBufferedBytes: 8 * 1024 * 1024,
    now: () => NOW,
    sync: () => ({ following: false, stalenessSeconds: 0 }),
    onDropped: () => undefined,
  });
}

/**
 * A sidecar on `pack` for the tests of one file: started with a client on its socket before them, stopped
 * after them, and the pack removed.
 */
export function sidecarForFile(pack: { readonly path: string; remove(): void }): { readonly client: TestClient } {
  let sidecar: TestSidecar | undefined;
  let client: TestClient | undefined;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ rulesDir: pack.path });
    client = new TestClient(sidecar.addresses.unix);
  });
  afterAll(async () => {
    client?.close();
    await sidecar?.stop();
    pack.remove();
  });
  return {
    get client(): TestClient {
      if (!client) throw new Error('the sidecar starts in beforeAll');
      return client;
    },
  };
}
