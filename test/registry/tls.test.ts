import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../integration/sidecar-harness.js';
import { buildServer, type LogLine } from '../integration/sidecar-process.js';
import { RULES_DIR } from '../support/bundled.js';
import { packWithEmergencyHoliday, READ_TOKEN, registryFixture, type RegistryFixture } from './registry-harness.js';
import { runTplus, spawnTplus, type TplusProcess } from './tplus-process.js';

const TRADE = { tradeDate: '2030-03-12', assetClass: 'EQUITY', market: 'XNYS' };

interface Pki {
  readonly ca: string;
  readonly otherCa: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A throwaway CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA (openssl binary). */
function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string): void =>
    ssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=tplus test ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  ca('ca');
  ca('other-ca');
  const leaf = (name: string, cn: string, ext: string, serial: string): void => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      serial,
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    );
  };
  leaf(
    'server',
    'localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
    '1001',
  );
  leaf('client', 'tplus-sidecar', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n', '1002');
  const at = (f: string): string => join(dir, f);
  return {
    ca: at('ca.pem'),
    otherCa: at('other-ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
  };
}

describe('TLS on registry channels (real processes, 127.0.0.1)', () => {
  let fx: RegistryFixture;
  let pki: Pki;
  const procs: TplusProcess[] = [];
  const clients: TestClient[] = [];
  let tlsAddress = '';
  let mtlsAddress = '';

  const startRegistry = async (name: string, extra: string[]): Promise<string> => {
    const p = spawnTplus([
      'registry',
      '--data-dir',
      join(fx.dir, name),
      '--listen',
      '127.0.0.1:0',
      '--signing-key',
      fx.keys.privateKeyFile,
      '--tokens',
      fx.tokensFile,
      '--metrics-listen',
      'off',
      '--heartbeat-ms',
      '200',
      '--tls-cert',
      pki.serverCert,
      '--tls-key',
      pki.serverKey,
      ...extra,
    ]);
    procs.push(p);
    return String((await p.waitFor('registry_serving'))['address']);
  };
  const history = (address: string, ...tls: string[]): Promise<{ code: number | null; output: string }> =>
    runTplus(['history', '--registry', address, '--token-file', fx.readTokenFile, '--json', ...tls]);

  beforeAll(async () => {
    buildServer();
    fx = registryFixture();
    pki = makePki(join(fx.dir, 'pki'));
    [tlsAddress, mtlsAddress] = await Promise.all([startRegistry('tls', []), startRegistry('mtls', ['--tls-client-ca', pki.ca])]);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    fx?.remove();
  });

  it('the registry says it serves TLS, on the address it bound', () => {
    expect(tlsAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(procs[0]?.logs.find((l) => l['event'] === 'registry_serving')?.['tls']).toBe('server');
    expect(procs[1]?.logs.find((l) => l['event'] === 'registry_serving')?.['tls']).toBe('mutual');
  });

  it('publish --tls-ca trusting the registry CA succeeds', async () => {
    const rules = packWithEmergencyHoliday(join(fx.dir, 'pack-2030'));
    const r = await runTplus([
      'publish',
      '--registry',
      tlsAddress,
      '--token-file',
      fx.publishTokenFile,
      '--rules',
      rules,
      '--reason',
      'emergency closure over TLS',
      '--tls-ca',
      pki.ca,
    ]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('published: version 1');
    const h = await history(tlsAddress, '--tls-ca', pki.ca);
    expect(h.code, h.output).toBe(0);
    expect(h.output.trim().split('\n')).toHaveLength(1);
  });

  it('a plaintext client (no --tls-ca) is refused', async () => {
    const r = await history(tlsAddress);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/ListVersions at .* failed: UNAVAILABLE/);
  });

  it('a client trusting a different CA is refused', async () => {
    const r = await history(tlsAddress, '--tls-ca', pki.otherCa);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/failed: UNAVAILABLE/);
  });

  it('a sidecar following with --registry-tls-ca installs the published version and answers with it (the 2030-03-13 closure moves T+1 to 03-14)', async () => {
    const dir = join(fx.dir, 'sidecar');
    const socket = join(dir, 's.sock');
    const proc = spawnTplus([
      'serve',
      '--registry',
      tlsAddress,
      '--registry-public-key',
      fx.keys.publicKeyFile,
      '--registry-token-file',
      fx.readTokenFile,
      '--registry-tls-ca',
      pki.ca,
      '--data-dir',
      dir,
      '--socket',
      socket,
      '--listen',
      'off',
      '--metrics-listen',
      'off',
      '--registry-start-timeout-ms',
      '20000',
    ]);
    procs.push(proc);
    expect((await proc.waitFor('following_registry'))['tls']).toBe(true);
    await proc.waitFor('serving');
    const client = new TestClient(`unix://${socket}`);
    clients.push(client);
    const d = await client.call<{ settlementDate: string; rulesetVersion: number }>('GetSettlementDate', TRADE);
    expect(d.settlementDate).toBe('2030-03-14');
    expect(Number(d.rulesetVersion)).toBe(1);
    expect(proc.output.filter((l) => !l.startsWith('{'))).toEqual([]); // JSON log lines only (no DEP0123 warning)
  }, 60_000);

  it('a relay reaches a TLS upstream with --upstream-tls-ca', async () => {
    const relay = spawnTplus([
      'registry',
      '--upstream',
      tlsAddress,
      '--upstream-public-key',
      fx.keys.publicKeyFile,
      '--upstream-token-file',
      fx.readTokenFile,
      '--upstream-tls-ca',
      pki.ca,
      '--data-dir',
      join(fx.dir, 'relay'),
      '--listen',
      `unix:${join(fx.dir, 'relay.sock')}`,
      '--metrics-listen',
      'off',
      '--heartbeat-ms',
      '200',
    ]);
    procs.push(relay);
    await relay.waitFor('version_replicated', (l: LogLine) => l['version'] === 1);
  }, 60_000);

  it('mutual TLS: a client without a client certificate is refused, one with a certificate the CA signed is served', async () => {
    const without = await history(mtlsAddress, '--tls-ca', pki.ca);
    expect(without.code).toBe(1);
    expect(without.output).toMatch(/failed: UNAVAILABLE/);
    const withCert = await history(mtlsAddress, '--tls-ca', pki.ca, '--tls-client-cert', pki.clientCert, '--tls-client-key', pki.clientKey);
    expect(withCert.code, withCert.output).toBe(0);
    expect(withCert.output.trim()).toBe(''); // --json: one line per version, none published here
  });

  it('configuration: a certificate without its key is a config error naming the field; an unreadable file fails at start naming it', async () => {
    const half = await runTplus([
      'registry',
      '--signing-key',
      fx.keys.privateKeyFile,
      '--tokens',
      fx.tokensFile,
      '--listen',
      '127.0.0.1:0',
      '--metrics-listen',
      'off',
      '--data-dir',
      join(fx.dir, 'bad'),
      '--tls-cert',
      pki.serverCert,
    ]);
    expect(half.code).toBe(2);
    expect(half.output).toContain('--tls-cert needs --tls-key (or TPLUS_TLS_KEY)');
    const missing = await runTplus([
      'registry',
      '--signing-key',
      fx.keys.privateKeyFile,
      '--tokens',
      fx.tokensFile,
      '--listen',
      '127.0.0.1:0',
      '--metrics-listen',
      'off',
      '--data-dir',
      join(fx.dir, 'bad'),
      '--tls-cert',
      join(fx.dir, 'no-such.pem'),
      '--tls-key',
      pki.serverKey,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/start_failed.*--tls-cert: cannot read .*no-such\.pem/);
    const cli = await history(tlsAddress, '--tls-ca', pki.ca, '--tls-client-cert', pki.clientCert);
    expect(cli.code).toBe(2);
    expect(cli.output).toContain('--tls-client-cert needs --tls-client-key');
    const serve = await runTplus([
      'serve',
      '--registry-tls-ca',
      pki.ca,
      '--data-dir',
      join(fx.dir, 'bad-serve'),
      '--listen',
      'off',
      '--metrics-listen',
      'off',
    ]);
    expect(serve.code).toBe(2);
    expect(serve.output).toContain('--registry-tls-* settings need --registry');
  });

  it('mutual TLS names identities: a publish with no token but a client certificate (CN tplus-sidecar) is signed and audited as that CN', async () => {
    const tokens = join(fx.dir, 'cn-tokens');
    writeFileSync(tokens, `publish tplus-sidecar -\nread reader ${READ_TOKEN}\n`);
    const p = spawnTplus([
      ...['registry', '--data-dir', join(fx.dir, 'cn'), '--listen', '127.0.0.1:0', '--signing-key', fx.keys.privateKeyFile],
      ...['--tokens', tokens, '--metrics-listen', 'off', '--tls-cert', pki.serverCert, '--tls-key', pki.serverKey],
      ...['--tls-client-ca', pki.ca],
    ]);
    procs.push(p);
    const address = String((await p.waitFor('registry_serving'))['address']);
    const cert = ['--tls-ca', pki.ca, '--tls-client-cert', pki.clientCert, '--tls-client-key', pki.clientKey];
    const r = await runTplus([
      'publish',
      '--registry',
      address,
      '--rules',
      RULES_DIR,
      '--reason',
      'by certificate',
      '--author',
      'x',
      ...cert,
    ]);
    expect(r.code, r.output).toBe(0);
    const h = await history(address, ...cert);
    expect(JSON.parse(h.output.trim())).toMatchObject({ version: 1, author: 'tplus-sidecar' });
    const log = await runTplus(['audit-log', '--registry', address, '--token-file', fx.readTokenFile, '--json', ...cert]);
    expect(log.code, log.output).toBe(0);
    const rows = log.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { who: string; action: string; result: string });
    expect(rows.filter((row) => row.action === 'Publish')).toEqual([expect.objectContaining({ who: 'tplus-sidecar', result: 'ok' })]);
  }, 60_000);
});
