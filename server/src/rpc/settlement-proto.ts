import { fileURLToPath } from 'node:url';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';

/** The public contract, loaded at run time from the repository's proto/ tree. */
export const PROTO_ROOT = fileURLToPath(new URL('../../../proto', import.meta.url));
export const SETTLEMENT_PROTO_FILE = 'tplus/settlement/v1/settlement.proto';
export const SETTLEMENT_SERVICE_NAME = 'tplus.settlement.v1.SettlementService';

/** How the server sees messages: camelCase fields, uint64 as number, defaults filled, oneof names set. */
export const SERVER_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export function loadSettlementPackage(options: Options = SERVER_LOADER_OPTIONS): PackageDefinition {
  return loadSync(SETTLEMENT_PROTO_FILE, options);
}
