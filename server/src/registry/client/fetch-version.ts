import type { KeyObject } from 'node:crypto';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { clientCredentials } from '../index.js';
import type { SnapshotMessage, VersionInfoMessage } from '../index.js';
import { readPublicKey } from '../index.js';
import { SnapshotRejected, verifyAndBuild, type VerifiedSnapshot } from '../../sync/index.js';
import { callRegistry } from './registry-call.js';

/** How a fetched version was checked: its signature with a trusted key, or only its sha256 (no key given). */
export type Verification = 'signature' | 'sha256';

export interface FetchedVersion {
  readonly verified: VerifiedSnapshot;
  readonly verification: Verification;
}

/** A registry to replay from: where (and over which channel credentials), with which read token, and the public key its versions must verify with. */
export class VersionSource {
  private readonly publicKey: KeyObject | null;

  constructor(
    readonly address: string,
    private readonly token: string | null,
    publicKeyFile: string | undefined,
    private readonly creds: ChannelCredentials = clientCredentials(null),
  ) {
    this.publicKey = publicKeyFile === undefined ? null : readPublicKey(publicKeyFile);
  }

  get verification(): Verification {
    return this.publicKey === null ? 'sha256' : 'signature';
  }

  /** Every version's metadata, oldest first. */
  async list(): Promise<VersionInfoMessage[]> {
    const res = await callRegistry<{ versions: VersionInfoMessage[] }>(this.address, this.token, 'ListVersions', {}, undefined, this.creds);
    return [...res.versions].sort((a, b) => a.version - b.version);
  }

  /**
   * GetVersion, then the follower's checks (hash, signature when a key was given, canonical document
   * that builds a ruleset). Throws SnapshotRejected for a version that must not be trusted.
   */
  async fetch(version: number): Promise<FetchedVersion> {
    const snapshot = await callRegistry<SnapshotMessage>(this.address, this.token, 'GetVersion', { version }, undefined, this.creds);
    if (version !== 0 && snapshot.version !== version)
      throw new SnapshotRejected('bad_signature', `asked for version ${version}, the registry sent ${snapshot.version}`);
    return { verified: verifyAndBuild(snapshot, this.publicKey, `registry:${this.address}`), verification: this.verification };
  }
}
