// The public surface of server/src/store: what other folders may import (a lint rule keeps them from reaching past it).
export { LocalVersionRejected, buildSnapshot, type HeldRuleset, type RowCheck, type RulesetSnapshot } from './ruleset-snapshot.js';
export { RulesetStore } from './ruleset-store.js';
export { type StoredRuleset } from './stored-ruleset.js';
export { syncBundledPack } from './sync-bundled-pack.js';
export { DataDirLock, LOCK_FILE } from './data-dir-lock.js';
