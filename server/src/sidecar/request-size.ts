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

/** A length-delimited field (one-byte tag, as for field numbers < 16). */
const field = (payload: number): number => 1 + varintBytes(payload) + payload;
/** A length-delimited field with a two-byte tag (field numbers 16..2047, e.g. 120-139). */
const field2 = (payload: number): number => 2 + varintBytes(payload) + payload;

const MAX_UINT32_BYTES = 5;
const MAX_UINT64_BYTES = 10;
const DATE_TEXT = 'YYYY-MM-DD'.length;
/** Not checked (batch calls ignore it), but room is left for a UUID-sized correlation id per item and more. */
export const CORRELATION_ID_ALLOWANCE = 128;

const optionalTail = 1 + MAX_UINT64_BYTES + 2; // ruleset_version, allow_non_trading_day
const LONGEST_SETTLEMENT_TYPE = 'SELLERS_OPTION'.length;
/** settlement_type, option_days, settlement_date, segment (fields 120-123, two-byte tags). */
const typeAndSegment = field2(LONGEST_SETTLEMENT_TYPE) + 2 + MAX_UINT32_BYTES + field2(DATE_TEXT) + field2(MAX_IDENTIFIER_LENGTH.segment);

/**
 * Most keys of one columnar call that may carry a settlement type or a segment. Such keys are few by
 * nature (a key is an (asset class, market, type, segment) combination, not an instrument), and the
 * bound keeps the largest legal request, and so the default --max-message-bytes, near what it was.
 */
export const MAX_COLUMNAR_KEYS_WITH_TERMS = 1024;

/** A BatchGetSettlementDatesColumnar request of `items` items and as many keys, every field at its maximum. */
export function largestColumnarRequest(items: number): number {
  const key = field(MAX_IDENTIFIER_LENGTH.asset_class) + field(MAX_IDENTIFIER_LENGTH.market);
  const packed = field(items * MAX_UINT32_BYTES); // trade_dates, key_indexes
  return 2 * packed + items * field(key) + Math.min(items, MAX_COLUMNAR_KEYS_WITH_TERMS) * typeAndSegment + optionalTail;
}

/** A BatchGetSettlementDates request of `items` items, every field at its maximum. */
export function largestRowBatchRequest(items: number): number {
  const item =
    field(DATE_TEXT) +
    field(MAX_IDENTIFIER_LENGTH.asset_class) +
    field(MAX_IDENTIFIER_LENGTH.market) +
    optionalTail +
    typeAndSegment +
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
