import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementClient, SettlementError, type SettlementClient, type SettlementRequest } from '../../client-sdk/src/index.js';
import { startTestSidecar, type TestSidecar } from '../integration/sidecar-harness.js';
import { segmentPack } from '../support/segment-pack.js';

// The SDK accepts settlementType, optionDays, settlementDate and segment in every mode (rpc coalesced,
// the default; rpc unary, coalesce: false; in-process), with the same
// answers and the same error codes as the sidecar; the fallback answers a typed request provisionally
// and never answers one the service would refuse for its shape.
const pack = segmentPack();
let sidecar: TestSidecar;
let rpc: SettlementClient;
let unary: SettlementClient;
let inProcess: SettlementClient & { decideSync(r: SettlementRequest): unknown };
beforeAll(async () => {
  sidecar = await startTestSidecar({ rulesDir: pack.path });
  // A generous deadline: on a loaded machine a first call must not time out into the fallback.
  rpc = createSettlementClient({ address: sidecar.addresses.unix, deadlineMs: 5_000 });
  unary = createSettlementClient({ address: sidecar.addresses.unix, deadlineMs: 5_000, coalesce: false });
  inProcess = createSettlementClient({ address: sidecar.addresses.unix, mode: 'in-process' });
  await Promise.all([rpc.ready({ timeoutMs: 10_000 }), unary.ready({ timeoutMs: 10_000 }), inProcess.ready({ timeoutMs: 10_000 })]);
});
afterAll(async () => {
  await Promise.all([rpc.close(), unary.close(), inProcess.close()]);
  await sidecar.stop();
  pack.remove();
});

const XNYS = { tradeDate: '2024-07-03', assetClass: 'EQUITY', market: 'XNYS' } as const;

async function refusal(client: SettlementClient, request: SettlementRequest): Promise<{ code: number; reason: string; message: string }> {
  try {
    await client.getSettlementDateDetails(request, { fallback: false });
  } catch (e) {
    if (e instanceof SettlementError) return { code: e.code, reason: e.reason, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe.each(['rpc', 'rpc unary', 'in-process'] as const)('SDK in %s mode', (mode) => {
  const client = (): SettlementClient => (mode === 'rpc' ? rpc : mode === 'rpc unary' ? unary : inProcess);
  const source = mode === 'in-process' ? 'in-process' : 'service';

  it.each([
    [{ settlementType: 'CASH' }, '2024-07-03', 0],
    [{ settlementType: 'NEXT_DAY' }, '2024-07-05', 1],
    [{ settlementType: 'SELLERS_OPTION', optionDays: 2 }, '2024-07-08', 2],
    [{ settlementType: 'WHEN_ISSUED', settlementDate: '2024-07-15' }, '2024-07-15', 7],
  ] as const)('%o settles %s and names the type and its source', async (terms, expected, days) => {
    const d = await client().getSettlementDateDetails({ ...XNYS, ...terms });
    expect(d).toMatchObject({
      settlementDate: expected,
      source,
      provisional: false,
      settlementType: terms.settlementType,
      businessDays: days,
    });
    expect(d.settlementTypeSource).toMatch(/FINRA|NYSE/);
  });

  it('a plain request is REGULAR with its cycle as business days', async () => {
    expect(await client().getSettlementDateDetails(XNYS)).toMatchObject({
      settlementType: 'REGULAR',
      businessDays: 1,
      settlementDate: '2024-07-05',
    });
  });

  it('segment: the segment rule over the market default', async () => {
    const req = { tradeDate: '2022-03-25', assetClass: 'EQUITY', market: 'XTST' };
    expect(await client().getSettlementDateDetails({ ...req, segment: 'TRANCHE-A' })).toMatchObject({
      ruleId: 'xtst-tranche-a-t1',
      segment: 'TRANCHE-A',
      settlementDate: '2022-03-28',
    });
    const dflt = await client().getSettlementDateDetails(req);
    expect(dflt).toMatchObject({ ruleId: 'xtst-default-t2', settlementDate: '2022-03-29' });
    expect(dflt.segment).toBeUndefined();
  });

  it.each([
    [{ settlementType: 'SELLERS_OPTION', optionDays: 1 }, /option_days 1 is outside the seller's option bounds/],
    [{ settlementType: 'WHEN_ISSUED', settlementDate: '2024-07-04' }, /settlement_date 2024-07-04 is not a settlement day/],
    [{ settlementType: 'CASH', market: 'XLON' }, /settlement_type CASH is not defined by rule/],
  ] as const)("out of the pack's bounds %o: INVALID_ARGUMENT from the rule data", async (terms, message) => {
    const r = await refusal(client(), { ...XNYS, ...terms });
    expect(r).toMatchObject({ code: 3, reason: 'INVALID_ARGUMENT' });
    expect(r.message).toMatch(message);
  });

  it.each([
    [{ settlementType: 'T_PLUS_5' }, /settlementType "T_PLUS_5" is not one of/],
    [{ settlementType: 'SELLERS_OPTION' }, /optionDays is required with settlementType SELLERS_OPTION/],
    [{ settlementType: 'CASH', optionDays: 2 }, /optionDays applies only to settlementType SELLERS_OPTION, not CASH/],
    [{ settlementType: 'WHEN_ISSUED' }, /settlementDate \(the announced date\) is required/],
    [{ segment: 'lower' }, /segment "lower" is not/],
  ])('malformed %o: INVALID_ARGUMENT before any call', async (terms, message) => {
    const r = await refusal(client(), { ...XNYS, ...(terms as object) });
    expect(r).toMatchObject({ code: 3, reason: 'INVALID_ARGUMENT' });
    expect(r.message).toMatch(message);
  });

  it('a batch carries per-item types and errors', async () => {
    const results = await client().getSettlementDates([
      { ...XNYS, settlementType: 'CASH' },
      { ...XNYS, settlementType: 'SELLERS_OPTION', optionDays: 1 },
    ]);
    expect(results[0]).toMatchObject({ ok: true, value: { settlementDate: '2024-07-03', settlementType: 'CASH' } });
    expect(results[1]).toMatchObject({ ok: false, error: { reason: 'INVALID_ARGUMENT' } });
  });
});

describe('the fallback answers a typed request provisionally, by its type', () => {
  it.each([
    [{ settlementType: 'CASH' }, '2024-07-03'],
    [{ settlementType: 'NEXT_DAY' }, '2024-07-04'], // the fallback calendar knows weekends only
    [{ settlementType: 'SELLERS_OPTION', optionDays: 3 }, '2024-07-08'],
    [{ settlementType: 'WHEN_ISSUED', settlementDate: '2024-07-15' }, '2024-07-15'],
  ] as const)('%o with no service → provisional %s', async (terms, expected) => {
    const down = createSettlementClient({ address: `unix://${pack.path}/nothing.sock`, deadlineMs: 50 });
    try {
      const d = await down.getSettlementDateDetails({ ...XNYS, ...terms });
      expect(d).toMatchObject({ source: 'fallback', provisional: true, settlementDate: expected, settlementType: terms.settlementType });
    } finally {
      await down.close();
    }
  });

  it('a malformed typed request is refused, not answered by the fallback', async () => {
    const down = createSettlementClient({ address: `unix://${pack.path}/nothing.sock`, deadlineMs: 50 });
    try {
      const r = await refusal(down, { ...XNYS, settlementType: 'SELLERS_OPTION' });
      expect(r.reason).toBe('INVALID_ARGUMENT');
    } finally {
      await down.close();
    }
  });
});
