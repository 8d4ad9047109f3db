import { DecisionError } from '@tplus/core';
import type { HeldRuleset, RulesetSnapshot } from '../store/index.js';

/**
 * The ruleset a request asked for: the active one when `version` is unset or 0, else that held
 * version; VERSION_NOT_HELD when this sidecar no longer (or never) held it.
 */
export function pickVersion(snapshot: RulesetSnapshot, version: number | undefined): HeldRuleset {
  if (version === undefined || version === 0 || version === snapshot.active.ruleset.version) return snapshot.active;
  const held = snapshot.held.get(version);
  if (held !== undefined) return held;
  const versions = [...snapshot.held.keys()].join(', ');
  throw new DecisionError(
    'VERSION_NOT_HELD',
    `ruleset_version ${version} is not held by this sidecar (it holds ${versions}; active ${snapshot.active.ruleset.version})`,
    { field: 'ruleset_version', value: String(version), active_version: String(snapshot.active.ruleset.version) },
  );
}
