import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { REGISTRY_SERVICE_NAME } from '../index.js';

export type HealthStatus = 'SERVING' | 'NOT_SERVING';

/** grpc.health.v1 on `server` for the server as a whole ('') and RegistryService, NOT_SERVING until set; returns the setter. */
export function addRegistryHealth(server: Server): (status: HealthStatus) => void {
  const health = new HealthImplementation({ '': 'NOT_SERVING', [REGISTRY_SERVICE_NAME]: 'NOT_SERVING' });
  health.addToServer(server);
  return (status) => {
    health.setStatus('', status);
    health.setStatus(REGISTRY_SERVICE_NAME, status);
  };
}
