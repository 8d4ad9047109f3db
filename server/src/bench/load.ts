import { credentials, loadPackageDefinition, type Client, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSettlementPackage } from '../rpc/index.js';

type Callback = (err: ServiceError | null, value?: unknown) => void;
export type Stub = Client & Record<string, (req: unknown, options: { deadline: number }, cb: Callback) => void>;

export function createStub(address: string): Stub {
  const pkg = loadPackageDefinition(loadSettlementPackage()) as unknown as {
    tplus: { settlement: { v1: { SettlementService: ServiceClientConstructor } } };
  };
  return new pkg.tplus.settlement.v1.SettlementService(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  }) as unknown as Stub;
}

export function call(stub: Stub, method: string, request: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    stub[method]?.(request, { deadline: Date.now() + 30_000 }, (err, value) => (err ? reject(err) : resolve(value)));
  });
}

export interface LoadResult {
  readonly callsPerSecond: number;
  readonly itemsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** Client (this process) CPU microseconds per call. */
  readonly clientCpuUsPerCall: number;
  readonly calls: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/**
 * `concurrency` workers each issue calls back to back for `durationMs` (bounded also by `maxCalls`).
 * `send(i)` makes call number i; `items` is how many decisions one call carries.
 */
export async function runLoad(
  send: (i: number) => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  items: number,
  maxCalls = 5_000_000,
): Promise<LoadResult> {
  const latencies = new Float64Array(Math.min(maxCalls, 2_000_000));
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end && n < latencies.length) {
      const i = n++;
      const s = performance.now();
      await send(i);
      latencies[i] = performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sorted = latencies.slice(0, n).sort();
  return {
    callsPerSecond: n / elapsed,
    itemsPerSecond: (n * items) / elapsed,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    p999Ms: percentile(sorted, 0.999),
    clientCpuUsPerCall: (cpu.user + cpu.system) / n,
    calls: n,
  };
}

/**
 * One bidirectional StreamSettlementDates call kept `window` requests ahead of its responses for
 * `durationMs`; returns messages/s (each message one decision).
 */
export function runStream(stub: Stub, requests: readonly object[], window: number, durationMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = (
      stub as unknown as {
        StreamSettlementDates(options: { deadline: number }): NodeJS.EventEmitter & { write(m: unknown): boolean; end(): void };
      }
    ).StreamSettlementDates({ deadline: Date.now() + durationMs + 30_000 });
    let sent = 0;
    let received = 0;
    let stopped = false;
    const t0 = performance.now();
    const pump = (): void => {
      while (!stopped && sent - received < window) {
        open.write({ ...(requests[sent % requests.length] as object), correlationId: String(sent) });
        sent++;
      }
    };
    open.on('data', () => {
      received++;
      if (!stopped && performance.now() - t0 >= durationMs) {
        stopped = true;
        open.end();
      }
      pump();
    });
    open.on('error', reject);
    open.on('end', () => resolve(received / ((performance.now() - t0) / 1000)));
    pump();
  });
}
