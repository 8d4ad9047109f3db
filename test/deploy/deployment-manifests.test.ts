import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { TPLUS_MAIN } from '../integration/sidecar-process.js';
import { DEPLOY, readYaml, ROOT } from './deploy-files.js';

const K8S = resolve(DEPLOY, 'kubernetes');
const HEALTH_SERVICE = 'tplus.settlement.v1.SettlementService';

type Obj = Record<string, unknown>;
interface Container {
  name: string;
  image: string;
  args?: string[];
  restartPolicy?: string;
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Obj; limits?: Obj };
  securityContext?: Obj;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Probe {
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: number | string };
}
interface PodSpec {
  securityContext?: Obj;
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; emptyDir?: Obj; persistentVolumeClaim?: Obj; secret?: { secretName: string }; configMap?: { name: string } }[];
}
interface Workload {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    selector: { matchLabels: Obj };
    template: { metadata: { labels: Obj }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
}

function loadKustomization(): { resources: string[]; docs: Obj[] } {
  const k = parseAllDocuments(readFileSync(resolve(K8S, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { resources: string[] };
  const docs: Obj[] = [];
  for (const file of k.resources) {
    for (const doc of parseAllDocuments(readFileSync(resolve(K8S, file), 'utf8'))) {
      expect(doc.errors, file).toEqual([]);
      docs.push(doc.toJS() as Obj);
    }
  }
  return { resources: k.resources, docs };
}

function flag(args: readonly string[] | undefined, name: string): string | undefined {
  const a = args ?? [];
  const i = a.findIndex((x) => x === name || x.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const hit = a[i] as string;
  return hit.includes('=') ? hit.slice(name.length + 1) : a[i + 1];
}

const { resources, docs } = loadKustomization();
const byKind = (kind: string, name: string): Obj | undefined =>
  docs.find((d) => d['kind'] === kind && (d['metadata'] as { name: string }).name === name);
const app = byKind('Deployment', 'trade-capture') as unknown as Workload;
const registry = byKind('StatefulSet', 'tplus-registry') as unknown as Workload;
const serveHelp = execFileSync(process.execPath, [TPLUS_MAIN, 'serve', '--help'], { encoding: 'utf8', timeout: 20_000 });
const serveFlags = new Set([...serveHelp.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1] as string));
const registryHelp = execFileSync(process.execPath, [TPLUS_MAIN, 'registry', '--help'], { encoding: 'utf8', timeout: 20_000 });
const registryFlags = new Set([...registryHelp.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1] as string));

function mountPath(c: Container, volume: string): string | undefined {
  return c.volumeMounts?.find((m) => m.name === volume)?.mountPath;
}
function volumeOf(c: Container, path: string): string | undefined {
  return c.volumeMounts?.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))?.name;
}
function hardened(pod: PodSpec, c: Container): void {
  const sc = { ...pod.securityContext, ...c.securityContext };
  expect(sc['runAsNonRoot'], c.name).toBe(true);
  expect(c.securityContext?.['readOnlyRootFilesystem'], c.name).toBe(true);
  expect(c.securityContext?.['allowPrivilegeEscalation'], c.name).toBe(false);
  expect((c.securityContext?.['capabilities'] as { drop?: string[] } | undefined)?.drop, c.name).toContain('ALL');
  expect(c.resources?.requests?.['cpu'], c.name).toBeTruthy();
  expect(c.resources?.requests?.['memory'], c.name).toBeTruthy();
  expect(c.resources?.limits?.['memory'], c.name).toBeTruthy();
}

describe('deploy/kubernetes', () => {
  it('kustomization lists files that exist and parse, with the expected objects', () => {
    for (const f of resources) expect(existsSync(resolve(K8S, f)), f).toBe(true);
    expect(docs.map((d) => `${String(d['kind'])}/${(d['metadata'] as { name: string }).name}`).sort()).toEqual([
      'ConfigMap/tplus-registry-public-key',
      'Deployment/trade-capture',
      'Namespace/trading',
      'NetworkPolicy/tplus-registry-ingress',
      'NetworkPolicy/trade-capture-ingress',
      'Secret/tplus-registry',
      'Secret/tplus-registry-read-token',
      'Service/tplus-registry',
      'StatefulSet/tplus-registry',
    ]);
  });

  describe('trading app pod with tplus as a native sidecar', () => {
    const pod = app.spec.template.spec;
    const sidecar = pod.initContainers?.find((c) => c.name === 'tplus') as Container;
    const appContainer = pod.containers[0] as Container;

    it('runs tplus serve as an init container with restartPolicy: Always', () => {
      expect(sidecar).toBeDefined();
      expect(sidecar.restartPolicy).toBe('Always');
      expect(sidecar.args?.[0]).toBe('serve');
      expect(pod.containers.map((c) => c.name)).not.toContain('tplus');
    });

    it('shares the Unix socket with the app on an emptyDir', () => {
      const socket = flag(sidecar.args, '--socket') as string;
      const vol = volumeOf(sidecar, socket) as string;
      expect(pod.volumes?.find((v) => v.name === vol)?.emptyDir).toBeDefined();
      expect(mountPath(appContainer, vol)).toBe(mountPath(sidecar, vol));
    });

    it('keeps the SQLite copy on a writable emptyDir or PVC at --data-dir', () => {
      const vol = volumeOf(sidecar, flag(sidecar.args, '--data-dir') as string) as string;
      const v = pod.volumes?.find((x) => x.name === vol);
      expect(v?.emptyDir ?? v?.persistentVolumeClaim).toBeDefined();
    });

    it('probes gRPC health of tplus.settlement.v1.SettlementService on the TCP port bound to the pod IP', () => {
      const listen = flag(sidecar.args, '--listen') as string;
      expect(listen).toBe('0.0.0.0:50051'); // kubelet gRPC probes connect to the pod IP, not loopback
      for (const probe of [sidecar.startupProbe, sidecar.readinessProbe, sidecar.livenessProbe]) {
        expect(probe?.grpc).toEqual({ port: 50051, service: HEALTH_SERVICE });
      }
      expect(sidecar.ports?.find((p) => p.name === 'tplus-metrics')?.containerPort).toBe(
        Number(flag(sidecar.args, '--metrics-listen')?.split(':')[1]),
      );
    });

    it('is non-root, read-only, without privilege escalation, with requests and a memory limit', () => {
      hardened(pod, sidecar);
      hardened(pod, appContainer);
    });

    it('follows the registry with --registry*, key and token mounted from the ConfigMap and Secret', () => {
      expect(flag(sidecar.args, '--registry')).toBe('tplus-registry:50052');
      const key = flag(sidecar.args, '--registry-public-key') as string;
      const keyVol = pod.volumes?.find((v) => v.name === volumeOf(sidecar, key));
      expect(keyVol?.configMap?.name).toBe('tplus-registry-public-key');
      expect(Object.keys((byKind('ConfigMap', 'tplus-registry-public-key') as { data: Obj }).data)).toContain(key.split('/').pop());
      const token = flag(sidecar.args, '--registry-token-file') as string;
      expect(pod.volumes?.find((v) => v.name === volumeOf(sidecar, token))?.secret?.secretName).toBe('tplus-registry-read-token');
    });

    it('uses only flags tplus serve knows (the follow flags included)', () => {
      const used = (sidecar.args ?? []).filter((a) => a.startsWith('--')).map((a) => a.split('=')[0] as string);
      expect(used).toEqual(expect.arrayContaining(['--registry', '--registry-public-key', '--registry-token-file']));
      expect(used.filter((f) => !serveFlags.has(f))).toEqual([]);
    });
  });

  describe('registry', () => {
    const pod = registry.spec.template.spec;
    const c = pod.containers[0] as Container;

    it('is a single-replica StatefulSet running tplus registry with flags tplus registry knows', () => {
      expect(registry.spec.replicas).toBe(1);
      expect(c.args?.[0]).toBe('registry');
      for (const f of ['--data-dir', '--listen', '--signing-key', '--tokens', '--metrics-listen']) expect(flag(c.args, f), f).toBeTruthy();
      expect(flag(c.args, '--listen')).toBe('0.0.0.0:50052');
      const used = (c.args ?? []).filter((a) => a.startsWith('--')).map((a) => a.split('=')[0] as string);
      expect(used.filter((f) => !registryFlags.has(f))).toEqual([]);
    });

    it('exposes --metrics-listen as the port named metrics, which scrape-kubernetes.yml selects on the Service', () => {
      const port = Number(flag(c.args, '--metrics-listen')?.split(':')[1]);
      expect(c.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(port);
      const svc = byKind('Service', 'tplus-registry') as { spec: { ports: { name: string; targetPort: string }[] } };
      expect(svc.spec.ports.find((p) => p.name === 'metrics')?.targetPort).toBe('metrics');
      const k8sJobs = readYaml<{
        scrape_configs: { job_name: string; relabel_configs?: { source_labels?: string[]; regex?: string; action?: string }[] }[];
      }>(resolve(DEPLOY, 'prometheus/scrape-kubernetes.yml')).scrape_configs;
      const keep = k8sJobs.find((j) => j.job_name === 'tplus-registry')?.relabel_configs?.find((r) => r.action === 'keep');
      expect(keep?.regex).toBe('tplus-registry;metrics');
    });

    it('probes the gRPC port with tcpSocket (the registry serves no grpc.health.v1 service)', () => {
      expect(registryHelp).toMatch(/--listen/);
      for (const probe of [c.readinessProbe, c.livenessProbe]) {
        expect(probe?.tcpSocket?.port).toBe('grpc');
        expect(probe?.grpc).toBeUndefined();
      }
      expect(c.ports?.find((p) => p.name === 'grpc')?.containerPort).toBe(Number(flag(c.args, '--listen')?.split(':')[1]));
    });

    it('keeps its SQLite on a PersistentVolume and reads tokens and signing key from the Secret', () => {
      const dataVol = volumeOf(c, flag(c.args, '--data-dir') as string);
      expect(registry.spec.volumeClaimTemplates?.map((v) => v.metadata.name)).toContain(dataVol);
      const secret = byKind('Secret', 'tplus-registry') as { stringData: Obj };
      for (const f of ['--signing-key', '--tokens']) {
        const path = flag(c.args, f) as string;
        expect(pod.volumes?.find((v) => v.name === volumeOf(c, path))?.secret?.secretName, f).toBe('tplus-registry');
        expect(Object.keys(secret.stringData), f).toContain(path.split('/').pop());
      }
      hardened(pod, c);
    });

    it('has a Service selecting its pods on the gRPC and metrics ports', () => {
      const svc = byKind('Service', 'tplus-registry') as { spec: { selector: Obj; ports: { name: string; targetPort: string }[] } };
      expect(registry.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
      expect(svc.spec.ports.map((p) => p.targetPort).sort()).toEqual(c.ports?.map((p) => p.name).sort());
    });
  });
});

/** systemd unit → { section: { key: [values] } }, continuation lines joined. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(t);
    if (s) {
      section = s[1] as string;
      out[section] = {};
      continue;
    }
    const eq = t.indexOf('=');
    const key = t.slice(0, eq);
    ((out[section] as Record<string, string[]>)[key] ??= []).push(t.slice(eq + 1));
  }
  return out;
}

describe('deploy/systemd/tplus-sidecar.service', () => {
  const unit = parseUnit(readFileSync(resolve(DEPLOY, 'systemd/tplus-sidecar.service'), 'utf8'));
  const svc = unit['Service'] as Record<string, string[]>;
  const exec = (svc['ExecStart']?.[0] ?? '').split(/\s+/);

  it('has the hardening keys and restarts always', () => {
    expect(svc['NoNewPrivileges']).toEqual(['yes']);
    expect(svc['ProtectSystem']).toEqual(['strict']);
    expect(svc['Restart']).toEqual(['always']);
    expect(svc['User']?.[0]).not.toBe('root');
    expect(svc['ProtectHome']).toEqual(['yes']);
    expect(svc['PrivateTmp']).toEqual(['yes']);
    expect(svc['CapabilityBoundingSet']).toEqual(['']);
  });

  it('makes the data dir and the socket dir writable, and nothing else', () => {
    const writable = (svc['ReadWritePaths'] ?? []).flatMap((v) => v.split(/\s+/));
    const dataDir = flag(exec, '--data-dir') as string;
    const socketDir = (flag(exec, '--socket') as string).replace(/\/[^/]+$/, '');
    expect(writable.sort()).toEqual([dataDir, socketDir].sort());
    expect(svc['RuntimeDirectory']).toEqual([socketDir.replace('/run/', '')]);
    expect(svc['StateDirectory']).toEqual([dataDir.replace('/var/lib/', '')]);
    const tmpfiles = readFileSync(resolve(DEPLOY, 'systemd/tplus-sidecar.tmpfiles.conf'), 'utf8');
    expect(tmpfiles).toMatch(new RegExp(`^d\\s+${socketDir}\\s`, 'm'));
  });

  it('runs tplus serve with flags it knows', () => {
    expect(exec).toContain('serve');
    const used = exec.filter((a) => a.startsWith('--'));
    expect(used.length).toBeGreaterThan(2);
    expect(used.filter((f) => !serveFlags.has(f))).toEqual([]);
  });
});

describe('deploy/docker/Dockerfile', () => {
  const text = readFileSync(resolve(DEPLOY, 'docker/Dockerfile'), 'utf8');

  it('is multi-stage on node:20-slim, runs as non-root, has a HEALTHCHECK whose script exists', () => {
    const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms).toEqual(['node:20-slim', 'node:20-slim']);
    expect(text).toMatch(/^FROM node:20-slim AS build$/m);
    expect(text).toMatch(/^COPY --from=build /m);
    const user = /^USER\s+(\S+)/m.exec(text)?.[1] ?? 'root';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(text).toMatch(/^HEALTHCHECK .*\n?.*CMD \["node", "deploy\/docker\/healthcheck\.mjs"\]/m);
    expect(existsSync(resolve(ROOT, 'deploy/docker/healthcheck.mjs'))).toBe(true);
    for (const env of text.matchAll(/^\s+(TPLUS_[A-Z_]+)=/gm)) {
      expect(serveHelp, String(env[1])).toContain(`(${env[1] as string})`);
    }
  });
});
