import { Client, credentials, Metadata, status, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { ERROR_REASON_KEY } from '../rpc/index.js';
import { loadSettlementPackage, SETTLEMENT_SERVICE_NAME } from '../rpc/index.js';
import { grpcTarget } from '../registry/index.js';
import type { SettlementDecisionMessage } from '../sidecar/index.js';
import { RegistryCallError } from '../registry/client/index.js';
import { inFlagWords } from './flag-wording.js';

/** SettlementDecision as the server's loader options give it (camelCase, uint64 as number). */
export type SidecarDecision = SettlementDecisionMessage;

/**
 * One GetSettlementDate call to a sidecar pinned to `rulesetVersion` (answered only when the sidecar
 * still holds it: FAILED_PRECONDITION VERSION_NOT_HELD otherwise). Failures become one line, exit 1.
 */
export async function settleAtSidecar(
  address: string,
  request: {
    tradeDate: string;
    assetClass: string;
    market: string;
    rulesetVersion: number;
    allowNonTradingDay: boolean;
    settlementType?: string | undefined;
    optionDays?: number | null | undefined;
    settlementDate?: string | undefined;
    segment?: string | undefined;
  },
  deadlineMs = 10_000,
): Promise<SidecarDecision> {
  const m = (loadSettlementPackage()[SETTLEMENT_SERVICE_NAME] as ServiceDefinition)['GetSettlementDate'];
  if (!m) throw new Error('SettlementService has no GetSettlementDate');
  const client = new Client(grpcTarget(address), credentials.createInsecure());
  try {
    return await new Promise<SidecarDecision>((resolve, reject) =>
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (err: ServiceError | null, value?: unknown) => {
          if (!err) {
            resolve(value as SidecarDecision);
            return;
          }
          const reason = err.metadata?.get(ERROR_REASON_KEY)[0];
          const code = status[err.code] ?? String(err.code);
          reject(
            new RegistryCallError(
              `GetSettlementDate at ${address} failed: ${reason === undefined ? code : `${code} (${String(reason)})`}: ${inFlagWords(String(reason ?? ''), err.details)}`,
            ),
          );
        },
      ),
    );
  } finally {
    client.close();
  }
}
