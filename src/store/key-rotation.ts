/**
 * Key rotation (`npm run admin -- keys rotate [--org …] [--master-key-file <new>]`): optionally every data key
 * wrapped again under a new master key, then a new data key for each organisation and its stored text
 * re-encrypted under it in batches. Old text stays readable throughout — an envelope names its key, and no
 * data key is ever removed — and a writer racing the pass keeps what it wrote (each batch's update is
 * conditional on the fields as they were read). Each organisation's rotation is an audit entry (ids only).
 */
import type { AppDeps } from '../app/ports.js';
import type { StoreHandle } from './connection.js';
import { CURRENT_KEY_MS, ENCRYPTED_FIELDS, envelopeKeyId, type MasterKey, pathsWithin } from './encryption.js';

type Doc = Record<string, unknown>;

export interface RotationReport {
  organisationId: string;
  /** The new data key's id (`<organisationId>#<n>`). */
  keyId: string;
  /** Documents whose text was re-encrypted under it. */
  reencrypted: number;
}

/** Every data key id the encrypted fields of a document name. */
function keyIdsIn(doc: Doc, paths: string[]): Set<string> {
  const ids = new Set<string>();
  const visit = (value: unknown, rest: string[]) => {
    if (rest.length === 0) {
      const id = envelopeKeyId(value);
      if (id) ids.add(id);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const [step, ...more] = rest as [string, ...string[]];
    const list = step.endsWith('[]');
    const next = (value as Doc)[list ? step.slice(0, -2) : step];
    if (list) {
      if (Array.isArray(next)) for (const item of next) visit(item, more);
    } else visit(next, more);
  };
  for (const p of paths) visit(doc, p.split('.'));
  return ids;
}

/**
 * Re-encrypts, in batches, every stored text of the organisation that is not under its newest data key. Each
 * batch's update is conditional on the fields as they were read, so a writer racing it keeps what it wrote.
 */
export async function reencryptOrganisation(store: StoreHandle, organisationId: string, batchSize = 500): Promise<number> {
  const { cipher } = store;
  const db = store.connection.db!;
  cipher.forgetCurrent();
  const { id: keyId } = await cipher.currentKey(organisationId);
  const old = (id: string) => id.startsWith(`${organisationId}#`) && id !== keyId;
  let reencrypted = 0;
  for (const [collection, paths] of Object.entries(ENCRYPTED_FIELDS)) {
    const coll = db.collection<Doc>(collection);
    let batch: Array<{ updateOne: { filter: Doc; update: Doc } }> = [];
    const flush = async () => {
      if (batch.length === 0) return;
      // past the models: a signed record's text is the same text under another key (its digest does not change)
      const result = await coll.bulkWrite(batch as never[], { ordered: false });
      reencrypted += result.modifiedCount;
      batch = [];
    };
    // pages in _id order rather than one open cursor: a cursor over documents being rewritten may meet the same
    // document again (an engine may place the new version after the cursor's position), page by page never does
    let after: unknown;
    for (;;) {
      const page = await coll
        .find(after === undefined ? {} : { _id: { $gt: after } } as Doc)
        .sort({ _id: 1 })
        .limit(batchSize)
        .toArray();
      if (page.length === 0) break;
      after = page[page.length - 1]!._id;
      for (const doc of page) {
        if (![...keyIdsIn(doc, paths)].some(old)) continue;
        const fields = [...new Set(Object.keys(doc).filter((k) => pathsWithin(k, paths).length > 0))];
        const copy: Doc = Object.fromEntries(fields.map((f) => [f, doc[f]]));
        await cipher.decryptDoc(copy, paths);
        await cipher.encryptDoc(organisationId, copy, paths);
        batch.push({ updateOne: { filter: { _id: doc._id, ...Object.fromEntries(fields.map((f) => [f, doc[f]])) }, update: { $set: copy } } });
      }
      await flush();
    }
  }
  return reencrypted;
}

/**
 * Rotation. After the first pass it waits `settleMs` (by default as long as a running process keeps using the key
 * it found newest, `CURRENT_KEY_MS`) and passes again, for what such a process wrote under the old key meanwhile.
 */
export async function rotateDataKeys(
  store: StoreHandle,
  deps: Pick<AppDeps, 'audit' | 'clock'>,
  options: { organisationIds: string[]; newMasterKey?: MasterKey; actorId: string; batchSize?: number; settleMs?: number; say?: (line: string) => void },
): Promise<{ rewrapped: number; masterKeyId: string; organisations: RotationReport[] }> {
  const { cipher } = store;
  const db = store.connection.db!;
  let rewrapped = 0;
  if (options.newMasterKey) {
    rewrapped = await cipher.rewrap(options.newMasterKey);
    options.say?.(`${rewrapped} data keys wrapped again under master key ${options.newMasterKey.id}`);
  }
  const reports: RotationReport[] = [];
  for (const organisationId of options.organisationIds) {
    const newest = await db.collection<{ _id: string; n: number }>('dataKeys').find({ organisationId }).sort({ n: -1 }).limit(1).next();
    const { id: keyId } = await cipher.addKey(organisationId, (newest?.n ?? 0) + 1);
    const reencrypted = await reencryptOrganisation(store, organisationId, options.batchSize);
    reports.push({ organisationId, keyId, reencrypted });
    options.say?.(`${organisationId}: new data key ${keyId}, ${reencrypted} documents re-encrypted`);
  }
  const settleMs = options.settleMs ?? CURRENT_KEY_MS + 5_000;
  if (settleMs > 0 && reports.length > 0) {
    options.say?.(`waiting ${Math.round(settleMs / 1000)} s for running processes to take up the new keys, then a second pass`);
    await new Promise((r) => setTimeout(r, settleMs));
    for (const report of reports) report.reencrypted += await reencryptOrganisation(store, report.organisationId, options.batchSize);
  }
  for (const { organisationId, keyId, reencrypted } of reports) {
    await deps.audit.append({
      organisationId,
      actorId: options.actorId,
      action: 'keys.rotated',
      subject: { kind: 'organisation', id: organisationId },
      detail: { keyId, reencrypted, masterKeyId: cipher.masterKeyId },
      at: deps.clock.now(),
    });
  }
  return { rewrapped, masterKeyId: cipher.masterKeyId, organisations: reports };
}
