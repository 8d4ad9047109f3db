import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callRegistry } from '../registry/client/index.js';
import type { PublishResponseMessage } from '../registry/index.js';
import { generateSigningKeys, packFiles } from '../registry/index.js';
import { TplusChild } from './tplus-child.js';

/** A key pair and the token files a drill's registry and sidecars use. */
export interface DrillKeys {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
  readonly tokensFile: string;
  readonly publishToken: string;
  readonly readTokenFile: string;
}

export function makeKeys(dir: string): DrillKeys {
  mkdirSync(dir, { recursive: true });
  const keys = generateSigningKeys(join(dir, 'keys'));
  const publishToken = randomBytes(16).toString('hex');
  const readToken = randomBytes(16).toString('hex');
  writeFileSync(join(dir, 'tokens'), `publish ${publishToken}\nread ${readToken}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'read.token'), `${readToken}\n`, { mode: 0o600 });
  return { ...keys, tokensFile: join(dir, 'tokens'), publishToken, readTokenFile: join(dir, 'read.token') };
}

/** A copy of `rulesDir` in `dir` with an ad-hoc US closure on `date` that also closes settlement. */
export function packWithClosure(rulesDir: string, dir: string, date: string, name: string): string {
  cpSync(rulesDir, dir, { recursive: true });
  const file = join(dir, 'calendars', 'us.yaml');
  const text = readFileSync(file, 'utf8');
  const anchor = '    adhoc:\n';
  if (!text.includes(anchor)) throw new Error(`${file} has no adhoc list`);
  writeFileSync(
    file,
    text.replace(anchor, `${anchor}      - { date: ${date}, name: ${name}, closes_settlement: true, reason: "tplus drill" }\n`),
  );
  return dir;
}

/** A `tplus registry` process on a Unix socket; restartable on the same data dir. */
export class RegistryNode {
  child: TplusChild | null = null;

  /** `address` is `unix:/path`; two nodes may share one (an impostor taking over the socket). */
  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly keys: DrillKeys,
    readonly address: string,
  ) {}

  async start(): Promise<void> {
    this.child = new TplusChild(this.name, [
      'registry',
      '--data-dir',
      join(this.dir, 'data'),
      '--listen',
      this.address,
      '--metrics-listen',
      'off',
      '--signing-key',
      this.keys.privateKeyFile,
      '--tokens',
      this.keys.tokensFile,
      '--heartbeat-ms',
      '200',
    ]);
    await this.child.waitFor('registry_serving');
  }

  publish(rulesDir: string, reason: string, deadlineMs = 10_000): Promise<PublishResponseMessage> {
    return this.call<PublishResponseMessage>('Publish', { files: packFiles(rulesDir), reason, author: 'tplus-drill' }, deadlineMs);
  }

  /** Any RegistryService or RolloutService call, as the publishing identity. */
  call<T>(method: string, request: object, deadlineMs = 10_000): Promise<T> {
    return callRegistry<T>(this.address, this.keys.publishToken, method, request, deadlineMs);
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.child?.stop(sig);
  }
}

/** A `tplus serve` process on a Unix socket with /metrics on a free loopback port; restartable. */
export class SidecarNode {
  readonly socket: string;
  /** Every process this node ran (restarts included), for their logs. */
  readonly lives: TplusChild[] = [];
  metricsUrl: string | null = null;

  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly extraArgs: readonly string[] = [],
  ) {
    this.socket = join(dir, 'tplus.sock');
  }

  get address(): string {
    return `unix://${this.socket}`;
  }

  get child(): TplusChild | null {
    return this.lives[this.lives.length - 1] ?? null;
  }

  /** Log lines of every life of this sidecar with this event. */
  events(event: string): Record<string, unknown>[] {
    return this.lives.flatMap((c) => c.logs.filter((l) => l['event'] === event));
  }

  async start(): Promise<void> {
    const child = new TplusChild(this.name, [
      'serve',
      '--data-dir',
      join(this.dir, 'data'),
      '--socket',
      this.socket,
      '--listen',
      'off',
      '--metrics-listen',
      '127.0.0.1:0',
      '--shutdown-grace-ms',
      '1000',
      ...this.extraArgs,
    ]);
    this.lives.push(child);
    const line = await child.waitFor('metrics_listening');
    this.metricsUrl = String(line['url']);
    await child.waitFor('serving');
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.signal(sig);
  }

  async kill(): Promise<void> {
    await this.child?.stop('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM');
  }

  /** The /metrics text (empty when it cannot be read). */
  async metrics(): Promise<string> {
    if (this.metricsUrl === null) return '';
    try {
      const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(2_000) });
      return await res.text();
    } catch {
      return '';
    }
  }
}

/** The sum of a metric's samples in Prometheus text matching `labels` (e.g. `kind="latency"`). */
export function metricValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels !== '' && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}
