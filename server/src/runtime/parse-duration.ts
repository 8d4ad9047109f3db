import { invalid, type RawSetting } from './config-fields.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `500ms`, `90s`, `15m`, `24h` or `7d`, in milliseconds, between `minMs` and `maxMs`. */
export function parseDuration(s: RawSetting, minMs: number, maxMs: number): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s.text.trim());
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < minMs || ms > maxMs)
    throw invalid(s, `expected a duration from ${minMs} ms to ${maxMs / 86_400_000} days, a number and a unit (ms, s, m, h, d), e.g. 24h`);
  return ms;
}
