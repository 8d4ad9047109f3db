import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '@tplus/core';
import { NOW, startTestSidecar, type TestSidecar } from '../integration/sidecar-harness.js';

// The SIFMA calendars end with the last year SIFMA has published (2027). TplusCalendarHorizonShort
// fires below 180 days per calendar_id; the sidecar must report each bond calendar's own end, and a
// union must report its shortest member (USFED and US-SETTLEMENT run to 2035 and must not hide it).

const BOND_CALENDARS = ['US-BOND', 'SIFMA-NO-SETTLEMENT', 'SIFMA-GOV-NO-SETTLEMENT', 'US-TREASURY-SETTLEMENT', 'US-CORP-MUNI-SETTLEMENT'];

describe('tplus_calendar_horizon_seconds for the SIFMA calendars (real sidecar, bundled pack)', () => {
  let sidecar: TestSidecar;
  let text: string;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ metrics: true });
    text = await (await fetch(`http://${sidecar.handle.metricsAddress ?? ''}/metrics`)).text();
  });
  afterAll(async () => {
    await sidecar.stop();
  });

  /** The gauge in days (it is exported in seconds, whole days). */
  const horizon = (id: string): number | null => {
    const m = new RegExp(`^tplus_calendar_horizon_seconds\\{calendar_id="${id}"\\} (-?\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) / 86_400 : null;
  };

  it.each(BOND_CALENDARS)('%s reports the days left until 2027-12-31', (id) => {
    const today = parseDay(NOW.toISOString().slice(0, 10));
    expect(horizon(id)).toBe(parseDay('2027-12-31') - today);
  });

  it('the unions report their SIFMA end, not the 2035 of their other members', () => {
    expect(horizon('USFED')).toBe(parseDay('2035-12-31') - parseDay('2026-11-27'));
    expect(horizon('US-TREASURY-SETTLEMENT')).toBe(399);
    expect(horizon('US-CORP-MUNI-SETTLEMENT')).toBe(399);
  });

  it('so the 180-day ticket (deploy/prometheus/alerts.test.yml) is due on 2027-07-05, nearly six months ahead', () => {
    const reported = horizon('US-BOND') ?? 0;
    const today = parseDay('2026-11-27');
    expect(formatDay(today + (reported - 179))).toBe('2027-07-05');
  });
});
