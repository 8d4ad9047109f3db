import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSettlementClient, LedgerError, SettlementError, Status } from '../../client-sdk/src/index.js';
import { closedPort } from '../support/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');

// One process loads the built SDK twice: require() gives the CommonJS build, import() the ESM build,
// so every class exists twice. An error made by one copy must still be recognised by the other.
const SCRIPT = `
const cjs = require('@tplus/client-sdk');
import('@tplus/client-sdk').then((esm) => {
  const out = {};
  out.twoCopies = cjs.SettlementError !== esm.SettlementError;
  const fromCjs = new cjs.SettlementError(14, 'UNAVAILABLE', 'down', { cause: new Error('socket closed') });
  const fromEsm = new esm.SettlementError(5, 'NO_RULE', 'no rule');
  out.settlementCjsInEsm = fromCjs instanceof esm.SettlementError;
  out.settlementEsmInCjs = fromEsm instanceof cjs.SettlementError;
  out.settlementCause = fromCjs.cause instanceof Error && fromCjs.cause.message;
  const ledgerCjs = new cjs.LedgerError('LEDGER_CLOSED', 'closed');
  const ledgerEsm = new esm.LedgerError('LEDGER_CORRUPT', 'bad', 0, { cause: 'eio' });
  out.ledgerCjsInEsm = ledgerCjs instanceof esm.LedgerError;
  out.ledgerEsmInCjs = ledgerEsm instanceof cjs.LedgerError;
  out.ledgerCause = ledgerEsm.cause;
  out.notCrossed = fromCjs instanceof esm.LedgerError || ledgerEsm instanceof cjs.SettlementError;
  out.plainError = new Error('x') instanceof esm.SettlementError || ({ code: 14 }) instanceof cjs.SettlementError || null instanceof esm.SettlementError;
  console.log(JSON.stringify(out));
});
`;

describe('SettlementError and LedgerError are recognised across module copies (brand + Symbol.hasInstance)', () => {
  it('an error from the CommonJS build is an instance of the ESM class and the other way round, with its cause', () => {
    const out = JSON.parse(execFileSync(process.execPath, ['-e', SCRIPT], { cwd: ROOT, encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({
      twoCopies: true,
      settlementCjsInEsm: true,
      settlementEsmInCjs: true,
      settlementCause: 'socket closed',
      ledgerCjsInEsm: true,
      ledgerEsmInCjs: true,
      ledgerCause: 'eio',
      notCrossed: false,
      plainError: false,
    });
  });

  it('subclasses still narrow instanceof to themselves', () => {
    class Sub extends SettlementError {}
    const sub = new Sub(Status.UNAVAILABLE, 'UNAVAILABLE', 'down');
    const base = new SettlementError(Status.UNAVAILABLE, 'UNAVAILABLE', 'down');
    expect([sub instanceof SettlementError, sub instanceof Sub, base instanceof Sub, base instanceof SettlementError]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(new LedgerError('LEDGER_CLOSED', 'closed') instanceof LedgerError).toBe(true);
    expect(sub.isCallerError).toBe(false);
  });
});

describe('a SettlementError carries the failure it stands for as cause', () => {
  it('an unreachable service: UNAVAILABLE whose cause is the grpc-js error', async () => {
    const client = createSettlementClient({
      address: `127.0.0.1:${await closedPort()}`,
      deadlineMs: 500,
      fallback: false,
      coalesce: false,
    });
    try {
      const err = await client.getSettlementDate({ tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SettlementError);
      const cause = (err as SettlementError).cause as { code?: unknown; details?: unknown };
      expect(cause).toBeInstanceOf(Error);
      expect([(err as SettlementError).code, cause.code]).toEqual([Status.UNAVAILABLE, Status.UNAVAILABLE]);
    } finally {
      await client.close();
    }
  });
});
