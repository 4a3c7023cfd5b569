/**
 * Append-only audit trail, one hash chain per organisation: each entry carries the hash of the one before,
 * so a missing or edited entry is detectable (records are evidence in a case review — white-laith contract).
 * Sequence numbers are allocated by reading the last entry (or remembering the one this process wrote last) and
 * inserting the next with a unique key; concurrent writers that collide simply retry, so no transaction is needed.
 */
import { auditHash, ChainVerifier, GENESIS } from '../app/evidence/chain.js';
import type { AuditEntry, AuditLog } from '../app/ports.js';
import { BoundedMap } from '../domain/bounded-memo.js';
import { insertedBeforeError, isDuplicateKey, isOnlyDuplicateKeys } from './documents.js';
import type { Models } from './models.js';

export { auditHash, GENESIS };

const key = (organisationId: string, seq: number) => `${organisationId}#${String(seq).padStart(12, '0')}`;

export function auditLog(m: Models): AuditLog {
  const toEntry = (d: Record<string, unknown>): AuditEntry => {
    const { _id, ...rest } = d;
    return rest as unknown as AuditEntry;
  };
  /** The newest entry: one read down the unique `{ organisationId, seq }` index, backwards. */
  const lastEntry = (organisationId: string): Promise<AuditEntry | null> =>
    m.audit.findOne({ organisationId }).sort({ seq: -1 }).lean<AuditEntry>();

  /**
   * The entry this process appended last, per organisation. The next append chains from it without reading the
   * head: sequence numbers are dense and unique, so if another process appended since, the insert collides and
   * the head is read. Forgotten on any failure, so a write whose outcome is unknown is never chained from.
   */
  const appended = new BoundedMap<string, AuditEntry>(10_000);
  const headOf = async (organisationId: string): Promise<AuditEntry | null> => appended.get(organisationId) ?? (await lastEntry(organisationId));

  /** A keyed entry, by the unique `{ organisationId, key }` index. */
  async function existingKeyed(organisationId: string, k: string): Promise<AuditEntry | null> {
    const entry = await m.audit.findOne({ organisationId, key: k }).lean<Record<string, unknown>>();
    return entry ? toEntry(entry) : null;
  }

  /**
   * The next entry after the newest, inserted under a unique sequence number; another writer taking the number
   * first makes the insert fail and this one reads the head again. A keyed entry's key is unique too, so a
   * retried append collides with the entry it wrote before and answers that one: no read before the insert.
   */
  async function appendNow(input: Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>): Promise<AuditEntry> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const last = attempt === 0 ? await headOf(input.organisationId) : await lastEntry(input.organisationId);
      const seq = (last?.seq ?? 0) + 1;
      const unhashed = { ...input, seq, prevHash: last?.hash ?? GENESIS };
      const entry: AuditEntry = { ...unhashed, hash: auditHash(unhashed) };
      appended.delete(input.organisationId);
      try {
        await m.audit.create({ _id: key(input.organisationId, seq), ...entry });
        appended.set(input.organisationId, entry);
        return entry;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (input.key !== undefined) {
          const found = await existingKeyed(input.organisationId, input.key);
          if (found) return found;
        }
        await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(attempt + 1, 10)));
      }
    }
    throw new Error('audit: could not allocate a sequence number');
  }

  /**
   * Many entries, chained in memory from the newest stored one and inserted in order, 1,000 at a time. Another
   * writer taking a sequence number first stops the ordered insert there: what went in stands (it is chained to
   * what was there), and the rest are chained again from the new head.
   */
  async function appendManyNow(organisationId: string, inputs: Array<Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>>): Promise<AuditEntry[]> {
    const written: AuditEntry[] = [];
    let rest = inputs;
    for (let attempt = 0; rest.length > 0; attempt++) {
      if (attempt >= 1000) throw new Error('audit: could not allocate sequence numbers');
      let previous = attempt === 0 ? await headOf(organisationId) : await lastEntry(organisationId);
      const batch: AuditEntry[] = [];
      for (const input of rest.slice(0, 1000)) {
        const unhashed = { ...input, seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? GENESIS };
        previous = { ...unhashed, hash: auditHash(unhashed) };
        batch.push(previous);
      }
      let inserted = batch.length;
      appended.delete(organisationId);
      try {
        await m.audit.insertMany(batch.map((e) => ({ _id: key(organisationId, e.seq), ...e })), { ordered: true, lean: true });
      } catch (error) {
        if (!isOnlyDuplicateKeys(error)) throw error;
        // An ordered insert stops at its first collision, and the server says where. Failing that, the entries
        // stored as this call chained them went in (though entries alike in every field chain to the same hash).
        inserted = insertedBeforeError(error) ?? (await storedAsChained(organisationId, batch));
      }
      if (inserted > 0) appended.set(organisationId, batch[inserted - 1] as AuditEntry);
      written.push(...batch.slice(0, inserted));
      rest = rest.slice(inserted);
      if (inserted < batch.length) await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(attempt + 1, 10)));
    }
    return written;
  }

  async function storedAsChained(organisationId: string, batch: AuditEntry[]): Promise<number> {
    const stored = new Map((await m.audit.find({ _id: { $in: batch.map((e) => key(organisationId, e.seq)) } }).lean<Record<string, unknown>[]>()).map((d) => [d.seq as number, d.hash]));
    const first = batch.findIndex((e) => stored.get(e.seq) !== e.hash);
    return first < 0 ? batch.length : first;
  }

  // appends of one organisation queue up in this process; the unique `_id` still arbitrates between processes
  const chains = new Map<string, Promise<unknown>>();
  function inChain<T>(organisationId: string, run: () => Promise<T>): Promise<T> {
    const previous = chains.get(organisationId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    chains.set(organisationId, next);
    void next
      .finally(() => {
        if (chains.get(organisationId) === next) chains.delete(organisationId);
      })
      .catch(() => undefined);
    return next;
  }

  return {
    append(input) {
      return inChain(input.organisationId, () => appendNow(input));
    },
    appendMany(organisationId, entries) {
      if (entries.length === 0) return Promise.resolve([]);
      return inChain(organisationId, () => appendManyNow(organisationId, entries.map((e) => ({ ...e, organisationId }))));
    },
    async entries(organisationId) {
      return (await m.audit.find({ organisationId }).sort({ seq: 1 }).lean<Record<string, unknown>[]>()).map(toEntry);
    },
    async *scan(organisationId, fromSeq = 1, batchSize = 5000) {
      // by sequence number in batches on the (organisationId, seq) index: a million entries never sit in memory
      let after = fromSeq - 1;
      for (;;) {
        const batch = await m.audit.find({ organisationId, seq: { $gt: after } }).sort({ seq: 1 }).limit(batchSize).lean<Record<string, unknown>[]>();
        for (const d of batch) yield toEntry(d);
        if (batch.length < batchSize) return;
        after = (batch[batch.length - 1] as { seq: number }).seq;
      }
    },
    head: (organisationId) => lastEntry(organisationId),
    async verify(organisationId) {
      const chain = new ChainVerifier();
      for await (const e of this.scan(organisationId)) {
        const b = chain.push(e);
        if (b) return { ok: false, atSeq: b.seq, reason: b.text };
      }
      return { ok: true, count: chain.count };
    },
  };
}
