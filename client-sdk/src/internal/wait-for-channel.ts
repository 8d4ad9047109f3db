import type { Client } from '@grpc/grpc-js';
import { SettlementError, Status } from '../settlement-error.js';

/**
 * Resolves once the grpc-js channel is READY (it starts connecting if idle). After `timeoutMs`
 * rejects with SettlementError DEADLINE_EXCEEDED naming the address; on a closed client UNAVAILABLE.
 */
export function waitForChannel(stub: Client, address: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    try {
      stub.waitForReady(Date.now() + timeoutMs, (err) => {
        if (!err) resolve();
        else if (/closed/i.test(err.message))
          reject(new SettlementError(Status.UNAVAILABLE, 'UNAVAILABLE', `the client for ${address} is closed`));
        else
          reject(
            new SettlementError(
              Status.DEADLINE_EXCEEDED,
              'DEADLINE_EXCEEDED',
              `the channel to ${address} was not ready within ${timeoutMs} ms`,
            ),
          );
      });
    } catch {
      reject(new SettlementError(Status.UNAVAILABLE, 'UNAVAILABLE', `the client for ${address} is closed`));
    }
  });
}
