import { Client, Metadata, type ChannelCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_ROOT, SERVER_LOADER_OPTIONS } from '../rpc/index.js';
import { clientCredentials } from './registry-credentials.js';

export const REGISTRY_PROTO_FILE = 'tplus/registry/v1/registry.proto';
export const REGISTRY_SERVICE_NAME = 'tplus.registry.v1.RegistryService';

/** Receiving side of a large INVALID_ARGUMENT (every pack problem in the message). */
export const CLIENT_CHANNEL_OPTIONS = { 'grpc.max_metadata_size': 4 * 1024 * 1024, 'grpc.max_receive_message_length': 256 * 1024 * 1024 };

let cached: ServiceDefinition | null = null;

/** The RegistryService definition, with the server's loader options (camelCase, uint64 as number). */
export function registryServiceDefinition(): ServiceDefinition {
  cached ??= loadSync(REGISTRY_PROTO_FILE, { ...SERVER_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] })[
    REGISTRY_SERVICE_NAME
  ] as ServiceDefinition;
  return cached;
}

/** `host:port` or `unix:/abs/path` as grpc-js takes it. */
export function grpcTarget(address: string): string {
  return address.startsWith('unix:') && !address.startsWith('unix://') ? `unix://${address.slice(5)}` : address;
}

/**
 * A grpc-js channel to a registry; call methods via registryServiceDefinition(). `creds` come from
 * clientCredentials() (registry-credentials.ts): plaintext by default (loopback, Unix socket), else TLS.
 */
export function createRegistryClient(address: string, creds: ChannelCredentials = clientCredentials(null)): Client {
  return new Client(grpcTarget(address), creds, CLIENT_CHANNEL_OPTIONS);
}

/** Metadata carrying `authorization: Bearer TOKEN` (empty when there is no token). */
export function authMetadata(token: string | null): Metadata {
  const md = new Metadata();
  if (token !== null) md.set('authorization', `Bearer ${token}`);
  return md;
}
