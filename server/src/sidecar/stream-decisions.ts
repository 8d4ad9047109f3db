import type { ServerDuplexStream } from '@grpc/grpc-js';
import { isDecisionError } from '@tplus/core';
import type { RulesetHolder } from './ruleset-holder.js';
import { decideRequest } from './decide-rows.js';
import { MALFORMED_REQUEST, malformedRequestError } from '../rpc/index.js';
import { DecisionTally } from './decision-tally.js';
import type { RequestObserver } from '../rpc/index.js';
import { decisionMessage } from './to-wire.js';
import type { GetSettlementDateRequest, StreamResultMessage } from './wire-types.js';

/** A long stream reports its counts every this many items, not only at its end. */
const FLUSH_EVERY = 4096;

/**
 * StreamSettlementDates: one result per request, in order, carrying the request's correlation id.
 * When the client does not read (write() returns false) the server stops reading until 'drain', so
 * HTTP/2 flow control pushes back on the sender. Each item reads the active snapshot once.
 * Resolves when the stream ends or is cancelled; rejects on an unexpected error.
 */
export function streamDecisions(
  holder: RulesetHolder,
  observer: RequestObserver,
): (call: ServerDuplexStream<GetSettlementDateRequest, StreamResultMessage>) => Promise<void> {
  return (call) =>
    new Promise<void>((resolve, reject) => {
      const tally = new DecisionTally();
      let settled = false;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        tally.flush(observer);
        if (err === undefined) resolve();
        else reject(err);
      };
      const resume = (): void => {
        if (!settled) call.resume();
      };
      call.on('data', (req: GetSettlementDateRequest) => {
        if (settled) return;
        let result: StreamResultMessage;
        try {
          if (req === MALFORMED_REQUEST) throw malformedRequestError('StreamSettlementDates');
          const d = decideRequest(holder.current, req);
          tally.decision(d.rule);
          result = { correlationId: req.correlationId, decision: decisionMessage(d) };
        } catch (err) {
          if (!isDecisionError(err)) {
            call.pause();
            finish(err);
            return;
          }
          tally.error(err.code);
          result = { correlationId: req.correlationId ?? '', error: { code: err.code, message: err.message } };
        }
        if (tally.size >= FLUSH_EVERY) tally.flush(observer);
        if (!call.write(result)) {
          call.pause();
          call.once('drain', resume);
        }
      });
      call.on('end', () => {
        if (settled) return;
        call.end();
        finish();
      });
      call.on('cancelled', () => finish());
    });
}
