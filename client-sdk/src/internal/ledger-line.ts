import type { ProvisionalEntry, Resolution } from '../provisional-ledger.js';

/** One line of the JSON Lines ledger. */
export type LedgerLine =
  | { readonly type: 'provisional'; readonly entry: ProvisionalEntry }
  | { readonly type: 'resolved'; readonly id: string; readonly resolution: Resolution };

/** The line parsed, 'json' when it is not JSON, 'shape' when it is JSON but no ledger record. */
export function parseLedgerLine(text: string): LedgerLine | 'json' | 'shape' {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'json';
  }
  if (typeof v !== 'object' || v === null) return 'shape';
  const o = v as { type?: unknown; entry?: { id?: unknown }; id?: unknown; resolution?: unknown };
  if (o.type === 'provisional' && typeof o.entry === 'object' && o.entry !== null && typeof o.entry.id === 'string') return v as LedgerLine;
  if (o.type === 'resolved' && typeof o.id === 'string' && typeof o.resolution === 'object' && o.resolution !== null)
    return v as LedgerLine;
  return 'shape';
}

/** The line that records `entry` as it stands now (it may already be resolved: replay keeps that). */
export function provisionalLine(entry: ProvisionalEntry): string {
  return `${JSON.stringify({ type: 'provisional', entry } satisfies LedgerLine)}\n`;
}

export function resolvedLine(entry: ProvisionalEntry): string {
  const { status, serviceDate, errorCode, ruleId, rulesetVersion, reconciledAt } = entry;
  if (status === 'open') throw new TypeError(`ledger entry ${entry.id} is not resolved`);
  const resolution = { status, serviceDate, errorCode, ruleId, rulesetVersion, reconciledAt: reconciledAt ?? '' } as Resolution;
  return `${JSON.stringify({ type: 'resolved', id: entry.id, resolution } satisfies LedgerLine)}\n`;
}
