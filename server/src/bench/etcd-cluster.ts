/**
 * A real etcd cluster (Debian `etcd-server`, /usr/bin/etcd) on loopback for tests and `npm run bench`: N members on free
 * ports, data in a temp dir, each member killable (SIGKILL) and restartable with its data. Reads
 * go through each member's HTTP gateway (/v3/...), so a test can read one member serializably.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

/** The etcd program (Debian `etcd-server` installs it as /usr/bin/etcd), looked up on PATH. */
export const ETCD_BINARY = 'etcd';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** The running process, or null while killed. */
  process: ChildProcess | null;
  /** The last lines it printed (for failure messages). */
  readonly output: string[];
}

export interface KeyValue {
  readonly key: string;
  readonly value: Buffer;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member, comma-separated, as `--etcd-endpoints` takes them. */
  readonly endpoints: string;
  /** SIGKILL one member and wait for it to exit. */
  kill(i: number): Promise<void>;
  /** Start a killed member again with its data, and wait until it answers /health. */
  restart(i: number): Promise<void>;
  /**
   * SIGSTOP one member: its sockets stay open and accept, nothing answers (a hung process, a stalled
   * disk, a partition that drops packets silently). `resume` sends SIGCONT.
   */
  pause(i: number): void;
  resume(i: number): void;
  /** The index of the current leader (asked of a running member), waiting up to `timeoutMs` for one. */
  leader(timeoutMs?: number): Promise<number>;
  /** Keys under `prefix` as held by member `i`, read serializably (that member's own copy). */
  readPrefix(i: number, prefix: string): Promise<KeyValue[]>;
  /** Kills every member and removes the data. */
  stop(): Promise<void>;
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

async function post<T>(url: string, body: unknown, timeoutMs = 3_000): Promise<T> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function waitHealthy(m: EtcdMember, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${m.clientUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
      last = JSON.stringify(body);
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd member ${m.name} not healthy within ${timeoutMs} ms (${last}):\n${m.output.slice(-20).join('\n')}`);
}

export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const root = mkdtempSync(join(tmpdir(), 'tplus-etcd-'));
  const token = `tplus-test-${randomBytes(4).toString('hex')}`;
  const members: EtcdMember[] = [];
  // freePort closes the port it found, so two calls can return the same one: etcd then refuses the
  // cluster ("initial cluster ... has duplicate url"). Every member's two ports are distinct.
  const taken = new Set<number>();
  const distinctPort = async (): Promise<number> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new Error('no distinct free port for etcd in 20 attempts');
  };
  for (let i = 0; i < size; i++) {
    const [c, p] = [await distinctPort(), await distinctPort()];
    members.push({
      name: `m${i}`,
      clientUrl: `http://127.0.0.1:${c}`,
      peerUrl: `http://127.0.0.1:${p}`,
      dataDir: join(root, `m${i}`),
      process: null,
      output: [],
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const launch = (m: EtcdMember): void => {
    const child = spawn(
      ETCD_BINARY,
      [
        ...['--name', m.name, '--data-dir', m.dataDir],
        ...['--listen-client-urls', m.clientUrl, '--advertise-client-urls', m.clientUrl],
        ...['--listen-peer-urls', m.peerUrl, '--initial-advertise-peer-urls', m.peerUrl],
        ...['--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', token],
        ...['--heartbeat-interval', '100', '--election-timeout', '1000', '--logger', 'zap', '--log-level', 'warn'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer): void => {
      m.output.push(...d.toString().split('\n').filter(Boolean));
      if (m.output.length > 200) m.output.splice(0, m.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    m.process = child;
  };
  const kill = async (i: number): Promise<void> => {
    const m = members[i];
    const child = m?.process;
    if (!m || !child) return;
    m.process = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  };
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl).join(','),
    kill,
    async restart(i) {
      const m = members[i];
      if (!m) throw new Error(`no member ${i}`);
      if (m.process === null) launch(m);
      await waitHealthy(m, 30_000);
    },
    pause(i) {
      members[i]?.process?.kill('SIGSTOP');
    },
    resume(i) {
      members[i]?.process?.kill('SIGCONT');
    },
    async leader(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        for (const m of members) {
          if (m.process === null) continue;
          try {
            const s = await post<{ leader?: string }>(`${m.clientUrl}/v3/maintenance/status`, {}, 1_000);
            for (const [j, other] of members.entries()) {
              if (other.process === null || s.leader === undefined) continue;
              // A member that does not answer (paused) is not the leader this member names, or is no longer one.
              const o = await post<{ header: { member_id: string } }>(`${other.clientUrl}/v3/maintenance/status`, {}, 1_000).catch(
                () => null,
              );
              if (o?.header.member_id === s.leader) return j;
            }
          } catch {
            // that member is not answering: ask another
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no etcd leader within ${timeoutMs} ms`);
    },
    async readPrefix(i, prefix) {
      const m = members[i];
      if (!m) throw new Error(`no member ${i}`);
      const end = Buffer.from(prefix);
      end[end.length - 1] = (end[end.length - 1] ?? 0) + 1;
      const res = await post<{ kvs?: { key: string; value?: string }[] }>(`${m.clientUrl}/v3/kv/range`, {
        key: b64(prefix),
        range_end: b64(end),
        serializable: true,
      });
      return (res.kvs ?? []).map((kv) => ({ key: Buffer.from(kv.key, 'base64').toString(), value: Buffer.from(kv.value ?? '', 'base64') }));
    },
    async stop() {
      await Promise.all(members.map((_, i) => kill(i)));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    for (const m of members) launch(m);
    await Promise.all(members.map((m) => waitHealthy(m, 30_000)));
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
