import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { ConfigError } from '../runtime/index.js';

/**
 * TLS on the client side of a registry channel (sidecar follower, relay upstream, CLI). No config
 * (null) means plaintext, the default for Unix sockets and loopback. Paths are absolute.
 */
export interface ClientTlsConfig {
  /** CA bundle (PEM) the registry's certificate must chain to; null trusts the system roots. */
  readonly caFile: string | null;
  /** Client certificate chain and its key (PEM) for mutual TLS; both or neither. */
  readonly certFile: string | null;
  readonly keyFile: string | null;
  /** Flag prefix of these settings (`--`, `--registry-`, `--upstream-`), so that errors name the flag. */
  readonly flagPrefix: string;
}

/** TLS of the registry's listener (`--tls-cert`, `--tls-key`, `--tls-client-ca`). Paths are absolute. */
export interface ServerTlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** When given, every client must present a certificate chaining to this CA (mutual TLS). */
  readonly clientCaFile: string | null;
}

/** `--registry-tls-ca` → `registryTlsCa`, the field name config errors carry. */
export const fieldOf = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
/** `--registry-tls-ca` → `TPLUS_REGISTRY_TLS_CA`. */
export const envOf = (flag: string): string => `TPLUS_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
const named = (flag: string): string => `${flag} (or ${envOf(flag)})`;

const given = (text: string | undefined): string | null => (text === undefined || text.trim() === '' ? null : text.trim());

export interface ClientTlsTexts {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/**
 * Client TLS from the raw texts of `${flagPrefix}tls-ca`, `-tls-client-cert`, `-tls-client-key` (flag or
 * env; undefined or empty = not given): null (plaintext) when none is given. A client certificate needs
 * its key and the other way round (ConfigError naming the missing one); a certificate without a CA
 * trusts the system roots.
 */
export function clientTlsConfig(texts: ClientTlsTexts, flagPrefix: string, cwd: string): ClientTlsConfig | null {
  const [certFlag, keyFlag] = [`${flagPrefix}tls-client-cert`, `${flagPrefix}tls-client-key`];
  const ca = given(texts.ca);
  const cert = given(texts.cert);
  const key = given(texts.key);
  if (cert !== null && key === null) throw new ConfigError(fieldOf(keyFlag), `${certFlag} needs ${named(keyFlag)}`);
  if (key !== null && cert === null) throw new ConfigError(fieldOf(certFlag), `${keyFlag} needs ${named(certFlag)}`);
  if (ca === null && cert === null) return null;
  return Object.freeze({
    caFile: ca === null ? null : resolve(cwd, ca),
    certFile: cert === null ? null : resolve(cwd, cert),
    keyFile: key === null ? null : resolve(cwd, key),
    flagPrefix,
  });
}

/** Server TLS from the raw texts of --tls-cert, --tls-key, --tls-client-ca: null (plaintext) when none is given. */
export function serverTlsConfig(
  texts: { readonly cert?: string | undefined; readonly key?: string | undefined; readonly clientCa?: string | undefined },
  cwd: string,
): ServerTlsConfig | null {
  const cert = given(texts.cert);
  const key = given(texts.key);
  const clientCa = given(texts.clientCa);
  if (cert !== null && key === null) throw new ConfigError('tlsKey', `--tls-cert needs ${named('--tls-key')}`);
  if (key !== null && cert === null) throw new ConfigError('tlsCert', `--tls-key needs ${named('--tls-cert')}`);
  if (cert === null || key === null) {
    if (clientCa !== null) throw new ConfigError('tlsClientCa', `--tls-client-ca needs ${named('--tls-cert')} and ${named('--tls-key')}`);
    return null;
  }
  return Object.freeze({
    certFile: resolve(cwd, cert),
    keyFile: resolve(cwd, key),
    clientCaFile: clientCa === null ? null : resolve(cwd, clientCa),
  });
}

/** Reads a PEM file; an unreadable one, or one without a PEM block, is an error naming the flag. */
export function readPem(file: string, flag: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new Error(`${flag}: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!pem.toString('latin1').includes('-----BEGIN ')) throw new Error(`${flag}: ${file} holds no PEM block`);
  return pem;
}

/** Channel credentials: plaintext without a TLS config, else TLS (presenting a client certificate when one is configured). */
export function clientCredentials(tls: ClientTlsConfig | null): ChannelCredentials {
  if (tls === null) return credentials.createInsecure();
  const p = tls.flagPrefix;
  const ca = tls.caFile === null ? null : readPem(tls.caFile, `${p}tls-ca`);
  const key = tls.keyFile === null ? null : readPem(tls.keyFile, `${p}tls-client-key`);
  const cert = tls.certFile === null ? null : readPem(tls.certFile, `${p}tls-client-cert`);
  return credentials.createSsl(ca, key, cert);
}

/** Listener credentials: plaintext without a TLS config, else TLS; with a client CA, every client must present a certificate it signed. */
export function serverCredentials(tls: ServerTlsConfig | null): ServerCredentials {
  if (tls === null) return ServerCredentials.createInsecure();
  const certChain = readPem(tls.certFile, '--tls-cert');
  const privateKey = readPem(tls.keyFile, '--tls-key');
  const clientCa = tls.clientCaFile === null ? null : readPem(tls.clientCaFile, '--tls-client-ca');
  return ServerCredentials.createSsl(clientCa, [{ cert_chain: certChain, private_key: privateKey }], clientCa !== null);
}
