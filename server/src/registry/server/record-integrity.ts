import type { KeyObject } from 'node:crypto';
import { RegistryError } from './registry-error.js';
import { keysFor, sha256Hex, verifyFields } from '@tplus/core';
import type { VersionRecord } from '../index.js';

/** What is wrong with a stored version (its document no longer matches its sha256, or its signature fails), or null. */
export function recordProblem(r: VersionRecord, publicKeys: readonly KeyObject[]): string | null {
  const actual = sha256Hex(r.document);
  if (actual !== r.sha256) return `its document hashes to ${actual}, not the recorded ${r.sha256}`;
  const keys = keysFor(publicKeys, r.keyId);
  if (keys.length === 0)
    return `it is signed with key ${r.keyId}, which this registry does not trust (add its public key with --trusted-public-key)`;
  if (!keys.some((k) => verifyFields(r, r.signature, k)))
    return `its signature (key ${r.keyId || 'unknown'}) does not verify with the registry's key`;
  return null;
}

/**
 * Re-verifies stored versions before the registry sends or builds on them: a version altered at rest
 * is never sent. Each corrupt version is reported once (`onCorrupt`: log, metric, alert); reads of it
 * fail with VERSION_CORRUPT (DATA_LOSS), so followers keep their last good copy.
 */
export class RecordIntegrity {
  private readonly corrupt = new Set<number>();

  constructor(
    /** The registry's own key and any earlier signing keys it still trusts (--trusted-public-key). */
    private readonly publicKeys: readonly KeyObject[],
    private readonly onCorrupt: (version: number, problem: string, corruptCount: number) => void,
  ) {}

  /** The versions found corrupt so far. */
  get corruptVersions(): readonly number[] {
    return [...this.corrupt].sort((a, b) => a - b);
  }

  /** True when `r` verifies; reports it the first time it does not. */
  isIntact(r: VersionRecord): boolean {
    const problem = recordProblem(r, this.publicKeys);
    if (problem === null) return true;
    if (!this.corrupt.has(r.version)) {
      this.corrupt.add(r.version);
      this.onCorrupt(r.version, problem, this.corrupt.size);
    }
    return false;
  }

  /** `r` when it verifies; VERSION_CORRUPT otherwise. */
  require(r: VersionRecord): VersionRecord {
    if (this.isIntact(r)) return r;
    throw new RegistryError(
      'VERSION_CORRUPT',
      `version ${r.version} is corrupt in this registry's store and is never sent; publish the intended content again (or roll back to a good version) to create a new version`,
      { version: String(r.version) },
    );
  }
}
