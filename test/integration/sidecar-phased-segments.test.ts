import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { withheldPack } from '../support/withheld-pack.js';
import { errorReport, sidecarForFile, type Message } from './sidecar-harness.js';

// A market phased by segment (India's T+1, server/rules-withheld/) through a real sidecar: in the window a
// request without its tranche is NOT_FOUND (NO_RULE) whose message says to pass the segment, on every
// decision RPC, never the answer of some default; with its tranche it is answered.
const sidecar = sidecarForFile(withheldPack());

const XNSE = { assetClass: 'EQUITY', market: 'XNSE' };
const HINT = "pass the instrument's segment, one of T1-2022-02-25,";

describe('a phased market over the sidecar', () => {
  it('GetSettlementDate: with the tranche it is answered; without it NO_RULE with the hint', async () => {
    const d = await sidecar.client.call('GetSettlementDate', { tradeDate: '2022-08-16', ...XNSE, segment: 'T1-2022-02-25' });
    expect(d).toMatchObject({ settlementDate: '2022-08-17', ruleId: 'in-equity-xnse-t1-2022-02-25-t1', segment: 'T1-2022-02-25' });
    const report = errorReport(await sidecar.client.failure('GetSettlementDate', { tradeDate: '2022-08-16', ...XNSE }));
    expect(report.code).toBe(status.NOT_FOUND);
    expect(report.reason).toBe('NO_RULE');
    expect(report.message).toContain(HINT);
  });

  it('BatchGetSettlementDates and the columnar batch: per item, the same', async () => {
    const res = await sidecar.client.call<{ results: Message[] }>('BatchGetSettlementDates', {
      items: [
        { tradeDate: '2022-08-16', ...XNSE, segment: 'T1-2023-01-27' },
        { tradeDate: '2022-08-16', ...XNSE },
        { tradeDate: '2023-08-17', ...XNSE },
      ],
    });
    expect(res.results[0]).toMatchObject({ decision: { settlementDate: '2022-08-18', cycleDays: 2 } });
    expect(res.results[1]).toMatchObject({ error: { code: 'NO_RULE', message: expect.stringContaining(HINT) } });
    expect(res.results[2]).toMatchObject({ decision: { settlementDate: '2023-08-18', ruleId: 'in-equity-xnse-t1' } });
    const col = await sidecar.client.call<Message>('BatchGetSettlementDatesColumnar', {
      tradeDates: [20220816, 20230817],
      keys: [{ ...XNSE }],
      keyIndexes: [0, 0],
    });
    expect(col['settlementDates']).toEqual([0, 20230818]);
    expect(col['statusCodes']).toEqual([status.NOT_FOUND, 0]);
    expect(col['errors']).toEqual([{ index: 0, code: 'NO_RULE', message: expect.stringContaining(HINT) }]);
  });

  it('ExplainSettlementDate of the miss gives the hint in its text', async () => {
    const e = await sidecar.client.call<Message>('ExplainSettlementDate', { tradeDate: '2022-08-16', ...XNSE });
    expect(String(e['text'])).toContain('trade date 2022-08-16 falls where the market default has no rule, from 2022-02-25 to 2023-01-26');
  });
});
