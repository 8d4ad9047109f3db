import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../integration/sidecar-harness.js';
import { RULES_DIR } from './bundled.js';

/**
 * Segment rules for a test market XTST (EQUITY) on the bundled US calendars, modelled on a phased
 * cycle change: the market default is T+2; segment TRANCHE-A moves to T+1 on 2022-02-25 and TRANCHE-B
 * on 2022-03-25. Line numbers matter to the tests that read problems: keep the layout.
 */
export const SEGMENT_RULES = `rules:
  - id: xtst-default-t2
    name: XTST default, T+2
    asset_class: EQUITY
    market: XTST
    effective: { from: 2000-01-01, to: 9999-12-31 }
    cycle_days: 2
    settlement_calendar: US-SETTLEMENT
    trading_calendar: XNYS
    source: test
  - id: xtst-tranche-a-t1
    name: XTST tranche A, T+1
    asset_class: EQUITY
    market: XTST
    segment: TRANCHE-A
    effective: { from: 2022-02-25, to: 9999-12-31 }
    cycle_days: 1
    settlement_calendar: US-SETTLEMENT
    trading_calendar: XNYS
    source: test
  - id: xtst-tranche-b-t1
    name: XTST tranche B, T+1
    asset_class: EQUITY
    market: XTST
    segment: TRANCHE-B
    effective: { from: 2022-03-25, to: 9999-12-31 }
    cycle_days: 1
    settlement_calendar: US-SETTLEMENT
    trading_calendar: XNYS
    source: test
`;

/** The bundled pack plus SEGMENT_RULES (and `extra` files) in a temp dir; `remove()` deletes it. */
export function segmentPack(extra: Record<string, string> = {}): { readonly path: string; remove(): void } {
  const dir = tempDir('tplus-segments-');
  cpSync(RULES_DIR, dir.path, { recursive: true });
  writeFileSync(join(dir.path, 'rules', 'xtst-segments.yaml'), SEGMENT_RULES);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir.path, name), text);
  return dir;
}
