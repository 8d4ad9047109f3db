import { DecisionError } from '@tplus/core';

/** BATCH_TOO_LARGE naming the field, its size and the configured maximum. */
export function batchTooLarge(field: string, count: number, max: number): DecisionError {
  return new DecisionError('BATCH_TOO_LARGE', `${field} has ${count} entries; at most ${max} are allowed in one call`, {
    field,
    value: String(count),
    max: String(max),
  });
}
