/**
 * THE layout of the registry's keys in etcd (one place; docs/architecture.md repeats it). Everything
 * lives under one prefix (`--etcd-prefix`, default DEFAULT_ETCD_PREFIX), one sub-prefix per kind of
 * record, so a new kind (pending approvals, rollout candidates) is one more sub-prefix here:
 *
 *   PREFIX latest                    the latest version number, decimal ("7"); compared by every create
 *   PREFIX versions/000000000007     version 7: its signed fields and document (or chunk list), JSON
 *   PREFIX audit/versions/000000000007  the audit row committed in the same transaction as version 7
 *   PREFIX audit/calls/AT/REPLICA-SEQ   one audit row per call (allowed or not), AT an RFC 3339 time
 *   PREFIX chunks/SHA256             a piece of a large document, keyed by the sha256 of its bytes
 *   PREFIX pending/next              the id the next pending version (four-eyes) gets, decimal
 *   PREFIX pending/open/000000000003 pending version 3, waiting for approval (JSON, document or chunk list);
 *                                    deleted when approved (in the version's transaction), rejected or expired
 *   PREFIX candidates/…              reserved: rollout candidates (issue 17)
 *
 * Version numbers are zero-padded to 12 digits so that key order is version order.
 */
export const DEFAULT_ETCD_PREFIX = '/tplus/registry/';

const pad = (n: number): string => String(n).padStart(12, '0');

export interface EtcdKeys {
  readonly prefix: string;
  readonly latest: string;
  readonly versions: string;
  version(n: number): string;
  readonly versionAudits: string;
  versionAudit(n: number): string;
  readonly callAudits: string;
  callAudit(at: string, replica: string, seq: number): string;
  chunk(sha256: string): string;
  readonly pending: string;
  readonly pendingNext: string;
  readonly pendingOpen: string;
  pendingEntry(id: number): string;
  readonly candidates: string;
}

export function etcdKeys(prefix: string = DEFAULT_ETCD_PREFIX): EtcdKeys {
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return {
    prefix: p,
    latest: `${p}latest`,
    versions: `${p}versions/`,
    version: (n) => `${p}versions/${pad(n)}`,
    versionAudits: `${p}audit/versions/`,
    versionAudit: (n) => `${p}audit/versions/${pad(n)}`,
    callAudits: `${p}audit/calls/`,
    callAudit: (at, replica, seq) => `${p}audit/calls/${at}/${replica}-${pad(seq)}`,
    chunk: (sha256) => `${p}chunks/${sha256}`,
    pending: `${p}pending/`,
    pendingNext: `${p}pending/next`,
    pendingOpen: `${p}pending/open/`,
    pendingEntry: (id) => `${p}pending/open/${pad(id)}`,
    candidates: `${p}candidates/`,
  };
}
