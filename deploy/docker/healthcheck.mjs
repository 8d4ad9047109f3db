// Docker HEALTHCHECK for the tplus sidecar: one grpc.health.v1 Check of the settlement service over
// the sidecar's Unix socket (TPLUS_SOCKET) or TCP address (TPLUS_HEALTH_ADDRESS). Exit 0 = SERVING.
//   node deploy/docker/healthcheck.mjs          (test/deploy/docker-healthcheck.test.ts runs it)
import grpc from '@grpc/grpc-js';
import health from 'grpc-health-check';

const SERVICE = 'tplus.settlement.v1.SettlementService';
const address = process.env.TPLUS_HEALTH_ADDRESS ?? (process.env.TPLUS_SOCKET ? `unix://${process.env.TPLUS_SOCKET}` : '127.0.0.1:50051');
const timeoutMs = Number(process.env.TPLUS_HEALTH_TIMEOUT_MS ?? 2000);

const Health = grpc.makeGenericClientConstructor(health.service, 'Health');
const client = new Health(address, grpc.credentials.createInsecure());
client.Check({ service: SERVICE }, { deadline: Date.now() + timeoutMs }, (err, res) => {
  client.close();
  if (err) {
    console.error(`tplus health: ${address}: ${err.message}`);
    process.exit(1);
  }
  const status = res?.status;
  const serving = status === 'SERVING' || status === 1;
  if (!serving) console.error(`tplus health: ${address}: ${String(status)}`);
  process.exit(serving ? 0 : 1);
});
