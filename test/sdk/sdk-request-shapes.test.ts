/**
 * Issue 13: the SDK refuses a malformed market or asset class itself (INVALID_ARGUMENT naming the
 * field), so an 8 MiB market never reaches the wire (where it would be RESOURCE_EXHAUSTED, an
 * infrastructure error answered by the fallback), nothing falls back and no breaker counts it. It uses
 * the same rule as the server, from @tplus/core.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementClient, SettlementError, type SettlementClient } from '../../client-sdk/src/index.js';
import { validateRequest } from '../../client-sdk/src/internal/validate-request.js';
import { checkIdentifier } from '@tplus/core';
import { startTestSidecar, type TestSidecar } from '../integration/sidecar-harness.js';
import { closedPort } from '../support/free-port.js';

const REQ = { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' } as const;
const BAD: readonly [string, object, string][] = [
  ['a 100-char market', { ...REQ, market: 'M'.repeat(100) }, `market "${'M'.repeat(40)}…(100 chars)" is not an ISO 10383 MIC`],
  ['an 8 MiB market', { ...REQ, market: 'X'.repeat(8 * 1024 * 1024) }, 'market "XXXX'],
  ['a lower-case market', { ...REQ, market: 'xnys' }, 'market "xnys" is not an ISO 10383 MIC'],
  ['a 33-char asset class', { ...REQ, assetClass: 'A'.repeat(33) }, 'assetClass "AAAA'],
];

describe('the SDK checks identifier shapes with the server’s own rule (@tplus/core)', () => {
  it.each(['XNYS', 'X1_2', 'xnys', 'XNYSE', '', 'EQUITY', 'E', '_EQ', 'A'.repeat(32), 'A'.repeat(33), 'ÉQUITY', 'EQ-1', ' XNYS', 'XNYS\n'])(
    'accepts and refuses %j exactly as the server does',
    (value) => {
      const server = (kind: 'market' | 'asset_class'): boolean => {
        try {
          checkIdentifier(value, kind);
          return true;
        } catch {
          return false;
        }
      };
      const sdk = (req: object): boolean => {
        try {
          validateRequest(req as typeof REQ);
          return true;
        } catch {
          return false;
        }
      };
      expect(sdk({ ...REQ, market: value })).toBe(server('market'));
      expect(sdk({ ...REQ, assetClass: value })).toBe(server('asset_class'));
    },
  );
});

describe.each([
  ['a real sidecar', false],
  ['no service at all (closed port)', true],
] as const)('against %s', (_what, unreachable) => {
  let sidecar: TestSidecar | null = null;
  let client: SettlementClient;
  const events: string[] = [];
  beforeAll(async () => {
    sidecar = unreachable ? null : await startTestSidecar();
    client = createSettlementClient({
      address: sidecar?.addresses.tcp ?? `127.0.0.1:${await closedPort()}`,
      deadlineMs: 2_000,
      registry: new Registry(),
      breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
    });
    for (const e of ['breakerOpen', 'fallback'] as const) client.on(e, () => events.push(e));
  });
  afterAll(async () => {
    await client.close();
    await sidecar?.stop();
  });

  it.each(BAD)('%s is INVALID_ARGUMENT naming the field, never a fallback, never counted by the breaker', async (_name, request, text) => {
    for (let i = 0; i < 3; i++) {
      const err = await client.getSettlementDateDetails(request as typeof REQ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SettlementError);
      expect(err).toMatchObject({ code: 3, reason: 'INVALID_ARGUMENT', isCallerError: true });
      expect((err as SettlementError).message).toContain(text);
      expect((err as SettlementError).message.length).toBeLessThan(200);
    }
    const [item] = await client.getSettlementDates([request as typeof REQ]);
    expect(item).toMatchObject({ ok: false, error: { code: 3, reason: 'INVALID_ARGUMENT' } });
    expect(events).toEqual([]);
    expect(client.breakerState('GetSettlementDate')).toBe('closed');
  });
});
