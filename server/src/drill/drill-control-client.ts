import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { drillServiceDefinition } from '../sidecar/index.js';

/** One DrillService call to a sidecar (`unix:///path` or `host:port`). */
export function callDrillService<Res>(
  address: string,
  method: 'InjectLatency' | 'ClearDrills' | 'GetDrillState',
  request: object,
  deadlineMs = 2_000,
): Promise<Res> {
  const m = drillServiceDefinition()[method];
  if (!m) return Promise.reject(new Error(`DrillService has no ${method}`));
  const client = new Client(address, credentials.createInsecure());
  return new Promise<Res>((resolve, reject) => {
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      request,
      new Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err: ServiceError | null, value?: unknown) => {
        client.close();
        if (err) reject(err);
        else resolve(value as Res);
      },
    );
  });
}
