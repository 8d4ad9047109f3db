import type { Etcd3 } from 'etcd3';
import type { AuditEntry } from '../index.js';
import type { EtcdKeys } from './etcd-keys.js';
import { decodeDocument, encodeWithDocument } from './etcd-record.js';
import type { PendingOutcome, PendingRecord } from './pending-store.js';
import { RegistryError } from './registry-error.js';

/** How an EtcdBackend lends its connection: the client, the key layout, error mapping, chunks, call-audit keys. */
export interface EtcdPendingDeps {
  readonly client: Etcd3;
  readonly keys: EtcdKeys;
  readonly inlineMax: number;
  run<T>(doing: string, op: () => Promise<T>): Promise<T>;
  chunk(sha256: string): Promise<Buffer | null>;
  callAuditKey(at: string): string;
}

type StoredPending = Omit<PendingRecord, 'document'> & { readonly document?: string; readonly chunks?: readonly string[] };

/** Attempts at numbering a new pending version before giving up (each lost only to another replica's numbering). */
const NUMBERING_ATTEMPTS = 20;

/**
 * Four-eyes pending versions in etcd (`pending/` in etcd-keys.ts): numbered by a compare-and-swap on
 * `pending/next`, each stored with its call's audit row in one transaction; closed (rejected, expired)
 * by deleting it with its audit row in one transaction. Approval deletes it inside the version's own
 * transaction (EtcdBackend.append).
 */
export class EtcdPending {
  constructor(private readonly d: EtcdPendingDeps) {}

  async add(p: Omit<PendingRecord, 'id'>, auditOf: (id: number) => AuditEntry): Promise<PendingRecord> {
    const { client, keys } = this.d;
    for (let attempt = 0; attempt < NUMBERING_ATTEMPTS; attempt++) {
      const next = await this.d.run('reading the next pending id', () => client.get(keys.pendingNext).string());
      const id = next === null ? 1 : Number(next);
      const added: PendingRecord = { ...p, id };
      const encoded = encodeWithDocument({ ...added, document: undefined }, p.document, this.d.inlineMax);
      for (const c of encoded.chunks)
        await this.d.run(`writing chunk ${c.sha256}`, () => client.put(keys.chunk(c.sha256)).value(c.bytes).exec());
      const audit = auditOf(id);
      const txn = client
        .if(keys.pendingNext, next === null ? 'Create' : 'Value', '==', next === null ? 0 : next)
        .then(
          client.put(keys.pendingNext).value(String(id + 1)),
          client.put(keys.pendingEntry(id)).value(encoded.value),
          client.put(this.d.callAuditKey(audit.at)).value(JSON.stringify(audit)),
        );
      const res = await this.d.run(`storing pending version ${id}`, () => txn.commit());
      if (res.succeeded) return added;
      // Refused: another replica numbered `id` first, or an earlier attempt of this same transaction
      // committed and lost its reply (an attempt cut off at its share of the deadline, a member failing
      // after the commit). Then pending `id` holds exactly these bytes (they carry this call's author,
      // reason, content hash and creation time), and it is this call's: numbering it again would leave
      // a second, orphaned pending version of the same request awaiting approval.
      const held = await this.d.run(`reading pending version ${id}`, () => client.get(keys.pendingEntry(id)).string());
      if (held === encoded.value) return added;
    }
    throw new RegistryError(
      'STORE_UNAVAILABLE',
      `could not number a pending version after ${NUMBERING_ATTEMPTS} attempts (other replicas kept winning)`,
    );
  }

  async open(): Promise<PendingRecord[]> {
    const res = await this.d.run('listing pending versions', () =>
      this.d.client.getAll().prefix(this.d.keys.pendingOpen).sort('Key', 'Ascend').exec(),
    );
    return Promise.all(res.kvs.map((kv) => this.decode(kv.key.toString(), kv.value)));
  }

  async get(id: number): Promise<PendingRecord | null> {
    const key = this.d.keys.pendingEntry(id);
    const value = await this.d.run(`reading pending version ${id}`, () => this.d.client.get(key).buffer());
    return value === null ? null : this.decode(key, value);
  }

  /** Deletes it with its audit row (if any) in one transaction; false when it was no longer pending. */
  async close(id: number, _outcome: PendingOutcome, audit: AuditEntry | null): Promise<boolean> {
    const { client, keys } = this.d;
    const key = keys.pendingEntry(id);
    const ops = [
      client.delete().key(key),
      ...(audit === null ? [] : [client.put(this.d.callAuditKey(audit.at)).value(JSON.stringify(audit))]),
    ];
    const res = await this.d.run(`closing pending version ${id}`, () =>
      client
        .if(key, 'Version', '>', 0)
        .then(...ops)
        .commit(),
    );
    return res.succeeded;
  }

  private async decode(key: string, value: Buffer): Promise<PendingRecord> {
    const s = JSON.parse(value.toString('utf8')) as StoredPending;
    const document = await decodeDocument(key, s, (sha) => this.d.chunk(sha));
    return {
      id: s.id,
      sha256: s.sha256,
      author: s.author,
      reason: s.reason,
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
      rollbackOf: s.rollbackOf,
      baseVersion: s.baseVersion,
      document,
    };
  }
}
