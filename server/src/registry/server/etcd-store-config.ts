import { resolve } from 'node:path';
import { ConfigError, invalid, parseInteger, parsePath, type RawSetting } from '../../runtime/index.js';
import type { EtcdStoreConfig } from './registry-config.js';

/** The `--etcd-*` settings `tplus registry` reads (by flag name). */
export type EtcdRaw = (name: string) => RawSetting;

function endpoint(s: RawSetting, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(s, `endpoint ${JSON.stringify(text)} is not a URL like http://127.0.0.1:2379`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.port === '' || url.pathname !== '/')
    throw invalid(s, `endpoint ${JSON.stringify(text)} must be http(s)://HOST:PORT`);
  return `${url.protocol}//${url.host}`;
}

/**
 * `--store` and the `--etcd-*` settings: null for SQLite (the default; any `--etcd-*` setting is then
 * refused, so a typo in `--store` cannot silently leave a replica on its own file); the validated
 * etcd configuration otherwise. A relay (`upstream`) keeps its copy in SQLite.
 */
export function etcdStoreConfig(raw: EtcdRaw, relay: boolean, cwd: string): EtcdStoreConfig | null {
  const store = raw('store');
  const kind = store.text.trim();
  const file = (name: string): string | null => (raw(name).text.trim() === '' ? null : resolve(cwd, parsePath(raw(name))));
  const given = ['etcd-endpoints', 'etcd-tls-ca', 'etcd-cert', 'etcd-key', 'etcd-user', 'etcd-password-file'].find(
    (n) => raw(n).text.trim() !== '',
  );
  if (kind === 'sqlite') {
    if (given !== undefined) throw new ConfigError(raw(given).field, `--${given} needs --store etcd (or TPLUS_STORE=etcd)`);
    return null;
  }
  if (kind !== 'etcd') throw invalid(store, `expected sqlite or etcd, got ${JSON.stringify(kind)}`);
  if (relay) throw new ConfigError(store.field, 'a relay (--upstream) keeps its copy in SQLite: drop --store etcd');
  const endpoints = raw('etcd-endpoints');
  const list = endpoints.text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (list.length === 0)
    throw new ConfigError(endpoints.field, '--store etcd needs --etcd-endpoints URL[,URL...] (or TPLUS_ETCD_ENDPOINTS)');
  const prefix = raw('etcd-prefix').text.trim();
  if (!prefix.startsWith('/')) throw invalid(raw('etcd-prefix'), `the prefix ${JSON.stringify(prefix)} must start with /`);
  const [certFile, keyFile] = [file('etcd-cert'), file('etcd-key')];
  if ((certFile === null) !== (keyFile === null))
    throw new ConfigError(raw(certFile === null ? 'etcd-cert' : 'etcd-key').field, '--etcd-cert and --etcd-key go together');
  const user = raw('etcd-user').text.trim();
  const passwordFile = file('etcd-password-file');
  if ((user === '') !== (passwordFile === null))
    throw new ConfigError(raw(user === '' ? 'etcd-user' : 'etcd-password-file').field, '--etcd-user and --etcd-password-file go together');
  return Object.freeze({
    endpoints: Object.freeze(list.map((e) => endpoint(endpoints, e))),
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    tlsCaFile: file('etcd-tls-ca'),
    certFile,
    keyFile,
    user: user === '' ? null : user,
    passwordFile,
    requestTimeoutMs: parseInteger(raw('etcd-timeout-ms'), 100, 600_000),
  });
}
