import { createHash } from 'node:crypto';
import type { RulesetDocument } from './ruleset-document.js';

/** JSON with object keys sorted at every level: the byte form that is hashed and signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the canonical serialization of a ruleset document. */
export function rulesetHash(doc: RulesetDocument): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}
