import { DecisionError } from '@tplus/core';
import { checkIdentifier, type IdentifierKind } from '@tplus/core';
import type { ParsedFlags } from './parse-flags.js';
import { UsageError } from '../runtime/usage-error.js';

/** The identifier flags of the decision commands and the shape each must have. */
export const IDENTIFIER_FLAGS: Readonly<Record<string, IdentifierKind>> = Object.freeze({
  market: 'market',
  'asset-class': 'asset_class',
  id: 'calendar_id',
});

/**
 * Refuses, before any rule pack is loaded or any call made, an identifier flag whose value no pack
 * can contain: a usage error (exit 2) naming the flag and the shortened value.
 */
export function checkIdentifierFlags(flags: ParsedFlags, command: string): void {
  for (const [flag, kind] of Object.entries(IDENTIFIER_FLAGS)) {
    const value = flags.strings.get(flag);
    if (value === undefined) continue;
    try {
      checkIdentifier(value, kind, `--${flag}`);
    } catch (e) {
      if (e instanceof DecisionError) throw new UsageError(`${command}: ${e.message}`);
      throw e;
    }
  }
}
