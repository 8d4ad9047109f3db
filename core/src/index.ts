// The public surface of @tplus/core: the pure decision core shared by the sidecar, the registry, the CLI and the SDK.
// No gRPC, no SQLite, no native module; node:crypto only for hashes and signature checks.
export * from './calendar.js';
export * from './check-rules.js';
export * from './closest-codes.js';
export * from './date.js';
export * from './decision-error.js';
export * from './decision-status.js';
export * from './diff-rulesets.js';
export * from './easter.js';
export * from './explain.js';
export * from './explain-miss.js';
export * from './format-miss.js';
export * from './holiday-rules.js';
export * from './identifier-shapes.js';
export * from './ruleset.js';
export * from './ruleset-document.js';
export * from './ruleset-hash.js';
export * from './settlement-type.js';
export * from './snapshot-signature.js';
export * from './heartbeat-signature.js';
export * from './transition.js';
export * from './typed-settlement.js';
export * from './verify-document.js';
export * from './warm-calendars.js';
export * from './yielder.js';
export * from './canonical-pieces.js';
export * from './verify-document-sliced.js';
