/**
 * Issue 18 item 5: the bundled rule pack has one identity everywhere. `tplus settle --json` and
 * `tplus explain --json` (compiled locally from the pack) and a real `tplus serve` child serving the
 * same pack answer the same trade with the same ruleset version, source label and sha256.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveSidecar, type LiveSidecar } from '../deploy/live-sidecar.js';
import { cliProcess } from '../support/run-cli.js';
import { TestClient, type Message } from './sidecar-harness.js';

const TRADE = ['--market', 'XNYS', '--asset-class', 'EQUITY', '--trade-date', '2024-05-28'];
let sidecar: LiveSidecar;
let client: TestClient;
beforeAll(async () => {
  sidecar = await startLiveSidecar();
  client = new TestClient(sidecar.address);
});
afterAll(async () => {
  client.close();
  await sidecar.stop();
});

interface Identity {
  readonly version: number;
  readonly source: string;
  readonly hash: string;
}

async function sidecarIdentity(): Promise<Identity> {
  const d = await client.call<Message>('GetSettlementDate', { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' });
  const info = await client.call<{ heldVersions: { rulesetVersion: string; source: string }[] }>('GetRulesetInfo', {});
  const version = Number(d['rulesetVersion']);
  const held = info.heldVersions.find((h) => Number(h.rulesetVersion) === version);
  return { version, source: held?.source ?? '(not held)', hash: String(d['rulesetHash']) };
}

function cliIdentity(stdout: string): Identity {
  const j = JSON.parse(stdout) as { ruleset_version: number; ruleset_source?: string; ruleset_hash: string };
  return { version: j.ruleset_version, source: j.ruleset_source ?? '(none)', hash: j.ruleset_hash };
}

describe('one provenance for the bundled pack', () => {
  it('tplus settle --json and the sidecar name the same version, source and sha256', async () => {
    const r = await cliProcess(['settle', ...TRADE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const fromSidecar = await sidecarIdentity();
    expect(fromSidecar.source).toBe('bundled');
    expect(cliIdentity(r.stdout)).toEqual(fromSidecar);
  });

  it('tplus explain --json too', async () => {
    const r = await cliProcess(['explain', ...TRADE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(cliIdentity(r.stdout)).toEqual(await sidecarIdentity());
  });
});
