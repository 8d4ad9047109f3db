import { MAX_IDENTIFIER_LENGTH } from '@tplus/core';

/**
 * The largest request a sidecar must accept, derived from the batch limits and the identifier shapes
 * (protobuf wire arithmetic), so `--max-message-bytes` defaults to what legal traffic needs instead of
 * a round number hundreds of times too large.
 */

/** Bytes of a protobuf varint. */
export function varintBytes(value: number): number {
  let n = 1;
  for (let v = value; v >= 128; v = Math.floor(v / 128)) n++;
  return n;
}

/** A length-delimited field (one-byte tag, as every field number here is < 16). */
const field = (payload: number): number => 1 + varintBytes(payload) + payload;

const MAX_UINT32_BYTES = 5;
const MAX_UINT64_BYTES = 10;
const DATE_TEXT = 'YYYY-MM-DD'.length;
/** Not checked (batch calls ignore it), but room is left for a UUID-sized correlation id per item and more. */
export const CORRELATION_ID_ALLOWANCE = 128;

const optionalTail = 1 + MAX_UINT64_BYTES + 2; // ruleset_version, allow_non_trading_day

/** A BatchGetSettlementDatesColumnar request of `items` items and as many keys, every field at its maximum. */
export function largestColumnarRequest(items: number): number {
  const key = field(MAX_IDENTIFIER_LENGTH.asset_class) + field(MAX_IDENTIFIER_LENGTH.market);
  const packed = field(items * MAX_UINT32_BYTES); // trade_dates, key_indexes
  return 2 * packed + items * field(key) + optionalTail;
}

/** A BatchGetSettlementDates request of `items` items, every field at its maximum. */
export function largestRowBatchRequest(items: number): number {
  const item =
    field(DATE_TEXT) +
    field(MAX_IDENTIFIER_LENGTH.asset_class) +
    field(MAX_IDENTIFIER_LENGTH.market) +
    optionalTail +
    field(CORRELATION_ID_ALLOWANCE);
  return items * field(item);
}

/** Headroom over the largest legal request: a quarter, rounded up to 64 KiB. */
const ROUND = 64 * 1024;

/** The default --max-message-bytes for these batch limits. */
export function requiredMessageBytes(limits: { readonly maxBatchItems: number; readonly maxColumnarItems: number }): number {
  const largest = Math.max(largestColumnarRequest(limits.maxColumnarItems), largestRowBatchRequest(limits.maxBatchItems));
  return Math.ceil((largest * 1.25) / ROUND) * ROUND;
}
