import type { ServerOptions } from '@grpc/grpc-js';
import { requiredMessageBytes } from './request-size.js';

/** Limits of one sidecar's gRPC server; every one configurable, every default safe. */
export interface ServerLimits {
  /** Largest request message received, in bytes (default: what the largest legal batch needs). */
  readonly maxMessageBytes: number;
  /** Most items in one BatchGetSettlementDates call. */
  readonly maxBatchItems: number;
  /** Most items in one BatchGetSettlementDatesColumnar call. */
  readonly maxColumnarItems: number;
  /** HTTP/2 concurrent streams (calls) per connection. */
  readonly maxConcurrentStreams: number;
  /** Interval of server keepalive pings on idle connections, and how long to wait for the answer. */
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** A WatchRuleset client with this many bytes unsent (not reading) is dropped: about twenty activations of the bundled pack. */
  readonly maxWatchUnsentBytes: number;
}

const DEFAULT_BATCH_LIMITS = { maxBatchItems: 10_000, maxColumnarItems: 100_000 } as const;

/**
 * Responses are bounded by the batch limits, not by what a caller sends: the send limit stays at the
 * former 16 MiB (or the receive limit, when that is configured higher).
 */
export const MIN_SEND_MESSAGE_BYTES = 16 * 1024 * 1024;

export const DEFAULT_LIMITS: ServerLimits = Object.freeze({
  maxMessageBytes: requiredMessageBytes(DEFAULT_BATCH_LIMITS),
  ...DEFAULT_BATCH_LIMITS,
  maxConcurrentStreams: 1_000,
  keepaliveTimeMs: 60_000,
  keepaliveTimeoutMs: 20_000,
  maxWatchUnsentBytes: 8 * 1024 * 1024,
});

/** grpc-js server options implementing the limits. */
export function serverOptions(limits: ServerLimits): ServerOptions {
  return {
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_send_message_length': Math.max(limits.maxMessageBytes, MIN_SEND_MESSAGE_BYTES),
    'grpc.max_concurrent_streams': limits.maxConcurrentStreams,
    'grpc.keepalive_time_ms': limits.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': limits.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
  };
}
