import { isBranded, setBrand } from './internal/brand.js';

export type LedgerErrorCode = 'LEDGER_WRITE_FAILED' | 'LEDGER_CLOSED' | 'LEDGER_CORRUPT';

const BRAND = Symbol.for('@tplus/client-sdk.LedgerError');

/**
 * Why a ledger cannot do what was asked: a write that could not be made durable (the entries stay in
 * memory and are retried), a closed ledger, or a file that cannot be replayed (a corrupt line that is not
 * the last one). `cause` carries the file system error when there is one. Like SettlementError, recognised by
 * `instanceof` across copies of the SDK in one process (a brand, not the class).
 */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';

  static {
    setBrand(this.prototype, BRAND);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, LedgerError, BRAND, value);
  }

  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    /** Entries recorded in memory but not yet durable on disk when this was raised. */
    readonly pending = 0,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
