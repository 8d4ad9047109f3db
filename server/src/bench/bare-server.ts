#!/usr/bin/env node
/**
 * The benchmark baseline: a bare @grpc/grpc-js server for SettlementService that answers every call with
 * a constant of the same message shape as the sidecar's, on the same transport. No decision, no metrics.
 * usage: node bare-server.js ADDRESS   (prints "ready" once bound)
 */
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSettlementPackage, SETTLEMENT_SERVICE_NAME } from '../rpc/index.js';

const address = process.argv[2];
if (!address) throw new Error('usage: bare-server ADDRESS');

const decision = {
  settlementDate: '2024-05-29',
  ruleId: 'us-equity-xnys-t2',
  ruleName: 'US equities on XNYS, T+2',
  cycleDays: 2,
  calendarId: 'US-SETTLEMENT',
  rulesetVersion: 1,
  rulesetHash: 'e4ed9bf26f6ea12597b6b3b17b1ca1f7acd6220691ab8950c4ca4ed38c28e740',
};

type Unary = (call: { request: Record<string, unknown> }, cb: (err: null, value: unknown) => void) => void;

const impl: Record<string, Unary> = {
  GetSettlementDate: (_call, cb) => cb(null, decision),
  BatchGetSettlementDates: (call, cb) => {
    const items = (call.request['items'] as unknown[] | undefined) ?? [];
    cb(null, { results: items.map(() => ({ decision })) });
  },
  BatchGetSettlementDatesColumnar: (call, cb) => {
    const n = ((call.request['tradeDates'] as unknown[] | undefined) ?? []).length;
    cb(null, {
      settlementDates: new Array<number>(n).fill(20240529),
      statusCodes: new Array<number>(n).fill(0),
      rulesetVersion: 1,
      rulesetHash: decision.rulesetHash,
      errors: [],
      ruleIds: [decision.ruleId],
      ruleIndexes: new Array<number>(n).fill(0),
      cycleDays: new Array<number>(n).fill(2),
    });
  },
};

/** Echoes one constant result per request, with the request's correlation id, honouring back-pressure. */
function stream(call: NodeJS.EventEmitter & { write(m: unknown): boolean; end(): void; pause(): void; resume(): void }): void {
  call.on('data', (req: { correlationId?: string }) => {
    if (!call.write({ correlationId: req.correlationId ?? '', decision })) {
      call.pause();
      call.once('drain', () => call.resume());
    }
  });
  call.on('end', () => call.end());
}

const server = new Server();
const service = loadSettlementPackage()[SETTLEMENT_SERVICE_NAME] as ServiceDefinition;
server.addService(service, { ...impl, StreamSettlementDates: stream });
server.bindAsync(address, ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
