/**
 * Issue 18 item 2 over gRPC: ExplainSettlementDate for a trade no rule matches answers OK with
 * `no_rule` (typed: the rules of the key and where the date falls, or the closest known markets and
 * asset classes) and no decision; GetSettlementDate and batch items keep failing NO_RULE, with the
 * same hint in the status message.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReport, startTestSidecar, TestClient, type Message, type TestSidecar } from './sidecar-harness.js';

let sidecar: TestSidecar;
let client: TestClient;
beforeAll(async () => {
  sidecar = await startTestSidecar();
  client = new TestClient(sidecar.addresses.tcp);
});
afterAll(async () => {
  client.close();
  await sidecar.stop();
});

describe('ExplainSettlementDate for a miss', () => {
  it('the key has rules: each with its effective range, and the date before the first', async () => {
    const res = await client.call<Message>('ExplainSettlementDate', { tradeDate: '1999-06-01', assetClass: 'EQUITY', market: 'XNYS' });
    expect(res['decision']).toBeNull();
    expect(res['noRule']).toMatchObject({
      position: 'before_first',
      previousRuleId: '',
      nextRuleId: 'us-equity-xnys-t3',
      rulesOfKey: [
        { ruleId: 'us-equity-xnys-t3', effectiveFrom: '2000-01-01', effectiveTo: '2017-09-04', cycleDays: 3 },
        { ruleId: 'us-equity-xnys-t2', effectiveFrom: '2017-09-05', effectiveTo: '2024-05-27', cycleDays: 2 },
        { ruleId: 'us-equity-xnys-t1', effectiveFrom: '2024-05-28', effectiveTo: '9999-12-31', cycleDays: 1 },
      ],
      suggestedMarkets: [],
    });
    expect(res['text']).toContain('before the first rule of the key, us-equity-xnys-t3');
  });

  it('the key has no rules: the closest markets, each naming its asset classes', async () => {
    const res = await client.call<Message>('ExplainSettlementDate', { tradeDate: '2024-06-03', assetClass: 'EQUITY', market: 'XNSY' });
    const miss = res['noRule'] as { suggestedMarkets: Message[]; hint: string; position: string };
    expect(miss.position).toBe('no_rules_for_key');
    expect(miss.suggestedMarkets[0]).toEqual({ market: 'XNYS', assetClasses: ['EQUITY', 'ETF'] });
    expect(miss.hint).toContain('did you mean XNYS (EQUITY, ETF)');
  });

  it('a decided trade carries no no_rule', async () => {
    const res = await client.call<Message>('ExplainSettlementDate', { tradeDate: '2024-06-03', assetClass: 'EQUITY', market: 'XNYS' });
    expect(res['noRule']).toBeNull();
    expect(res['decision']).toMatchObject({ settlementDate: '2024-06-04' });
  });
});

describe('NO_RULE errors carry the same hint', () => {
  it('GetSettlementDate: NOT_FOUND, reason NO_RULE, the hint in the status message', async () => {
    const report = errorReport(
      await client.failure('GetSettlementDate', { tradeDate: '2024-06-03', assetClass: 'EQUITY', market: 'XNSY' }),
    );
    expect(report.code).toBe(status.NOT_FOUND);
    expect(report.reason).toBe('NO_RULE');
    expect(report.message).toContain('did you mean XNYS (EQUITY, ETF)');
  });

  it('a batch item: the same message', async () => {
    const res = await client.call<{ results: Message[] }>('BatchGetSettlementDates', {
      items: [{ tradeDate: '1999-06-01', assetClass: 'EQUITY', market: 'XNYS' }],
    });
    expect(res.results[0]).toMatchObject({
      error: { code: 'NO_RULE', message: expect.stringContaining('before the first rule of the key') as unknown },
    });
  });
});
