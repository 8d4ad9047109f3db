import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { tolerantDecoding } from '../rpc/index.js';
import { loadSettlementPackage, SERVER_LOADER_OPTIONS, SETTLEMENT_SERVICE_NAME } from '../rpc/index.js';
import { serverOptions } from './server-limits.js';
import { settlementService, type SettlementServiceDeps } from './settlement-service.js';

/** The health service names this server reports: the overall server ('') and SettlementService. */
export const HEALTH_SERVICE_NAMES = ['', SETTLEMENT_SERVICE_NAME] as const;

export interface SettlementServer {
  readonly server: Server;
  /** SERVING once bound; NOT_SERVING from the start of shutdown. */
  setServing(serving: boolean): void;
  /** Binds `address` (`host:port` or `unix:/abs/path`); resolves with the bound port (0 for Unix sockets). */
  bind(address: string): Promise<number>;
}

/** A grpc-js server with SettlementService, grpc.health.v1 and server reflection, under the given limits. */
export function createSettlementServer(deps: SettlementServiceDeps): SettlementServer {
  const settlement = loadSettlementPackage();
  const healthPackage = loadSync(healthProtoPath, SERVER_LOADER_OPTIONS);
  const server = new Server(serverOptions(deps.limits));
  server.addService(tolerantDecoding(settlement[SETTLEMENT_SERVICE_NAME] as ServiceDefinition), settlementService(deps));
  const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICE_NAMES.map((n) => [n, 'NOT_SERVING'])));
  health.addToServer(server);
  new ReflectionService({ ...settlement, ...healthPackage }).addToServer(server);
  return {
    server,
    setServing: (serving) => {
      for (const name of HEALTH_SERVICE_NAMES) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    bind: (address) =>
      new Promise<number>((resolve, reject) => {
        server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
      }),
  };
}
