import type { ServiceDefinition } from '@grpc/grpc-js';
import { DecisionError } from '@tplus/core';

/** Stands in for a request whose bytes are not a valid protobuf message of the method's type. */
export const MALFORMED_REQUEST: object = Object.freeze({ malformed: true });

export function malformedRequestError(method: string): DecisionError {
  return new DecisionError('INVALID_ARGUMENT', `the ${method} request is not a valid protobuf message of its type`, {
    field: 'request',
    value: '',
  });
}

/**
 * The same service with request decoding that never throws: grpc-js would answer undecodable bytes
 * with INTERNAL (a server fault, which clients treat as an outage); the adapter answers
 * INVALID_ARGUMENT instead.
 */
export function tolerantDecoding(service: ServiceDefinition): ServiceDefinition {
  const entries = Object.entries(service).map(([name, method]) => {
    const decode = method.requestDeserialize;
    const requestDeserialize = (bytes: Buffer): unknown => {
      try {
        return decode(bytes);
      } catch {
        return MALFORMED_REQUEST;
      }
    };
    return [name, { ...method, requestDeserialize }] as const;
  });
  return Object.fromEntries(entries);
}
