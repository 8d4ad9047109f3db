import { createHash } from 'node:crypto';
import type { RulesetDocument } from './ruleset-document.js';

/** JSON with object keys sorted at every level: the byte form that is hashed and signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = canonicalEntries(value);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An object's entries in canonical order: undefined values dropped, keys sorted by code unit. */
export function canonicalEntries(value: object): [string, unknown][] {
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** sha256 (hex) of the canonical serialization of a ruleset document. */
export function rulesetHash(doc: RulesetDocument): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}
