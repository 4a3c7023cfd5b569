/**
 * A signed record cannot be altered through any path: the use cases, the repository, or the mongoose model
 * directly (document save, query updates, replaces, deletes, bulk writes). A correction is a new version that
 * both sign again, and the signed one stays exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedRecordImmutableError } from '../../../src/app/ports.js';
import {
  confirmRecord,
  correctSignedRecord,
  disputeRecord,
  draftRecord,
  resolveDispute,
  submitRecordForConfirmation,
  viewRecord,
} from '../../../src/app/records.js';
import type { RecordSheet } from '../../../src/domain/types.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { london } from '../../support/school.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let recordId: string;
let sessionId: string;
let signedDocId: string;

/** Every stored revision of the record's signed version, as stored. */
async function storedV1(): Promise<unknown[]> {
  return w.store.models.records.find({ recordId, version: 1 }).sort({ _id: 1 }).lean();
}

beforeAll(async () => {
  w = await createWorld('signed');
  sessionId = 'c-amy.2025-11-04';
  await w.deps.sessions.insert({ id: sessionId, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london('2025-11-04T15:45'), durationMinutes: 60, status: 'scheduled' });
  const drafted = await draftRecord(w.deps, 'sup', {
    sessionId,
    topics: ['performance'],
    notes: 'Signed notes',
    concerns: [{ text: 'Signed concern' }],
    actions: [{ text: 'Signed action', ownerId: 'amy', dueDate: '2025-11-21' }],
    submit: true,
  });
  recordId = (drafted as { view: RecordSheetView }).view.recordId;
  expect(await confirmRecord(w.deps, 'amy', { recordId })).toMatchObject({ ok: true });
  expect(await confirmRecord(w.deps, 'sup', { recordId })).toMatchObject({ ok: true, data: { signed: true } });
  const doc = await w.store.models.records.findOne({ recordId, version: 1, state: 'signed' }).lean<{ _id: string }>();
  signedDocId = doc?._id as string;
  expect(signedDocId).toBeTruthy();
}, 120_000);
afterAll(async () => w?.close());

describe('a signed record', () => {
  let signed: RecordSheet;
  let raw: unknown[];
  let auditLength: number;
  beforeAll(async () => {
    signed = (await w.deps.records.latest(recordId)) as RecordSheet;
    expect(signed.state).toBe('signed');
    raw = await storedV1();
    auditLength = (await w.deps.audit.entries('org-wl')).length;
  });

  const unchanged = async () => {
    expect(await w.deps.records.version(recordId, 1)).toEqual(signed);
    expect(await storedV1()).toEqual(raw);
  };

  it('is refused by every use case that would change it', async () => {
    expect(await draftRecord(w.deps, 'sup', { sessionId, notes: 'Altered notes' })).toMatchObject({ ok: false });
    expect(await submitRecordForConfirmation(w.deps, 'sup', { recordId })).toMatchObject({ ok: false });
    expect(await disputeRecord(w.deps, 'amy', { recordId, reason: 'Altered reason' })).toMatchObject({ ok: false });
    expect(await disputeRecord(w.deps, 'sup', { recordId, reason: 'Altered reason' })).toMatchObject({ ok: false });
    expect(await resolveDispute(w.deps, 'sup', { recordId, resolution: 'Altered' })).toMatchObject({ ok: false });
    // confirming again is harmless: nothing is written
    expect(await confirmRecord(w.deps, 'amy', { recordId })).toMatchObject({ ok: true, data: { alreadyConfirmed: true } });
    await unchanged();
    expect((await w.deps.audit.entries('org-wl')).length).toBe(auditLength);
  });

  it('is refused by the repository', async () => {
    const altered = { ...signed, notes: 'Altered notes', updatedAt: new Date() };
    await expect(w.deps.records.replace(altered, signed.updatedAt)).rejects.toBeInstanceOf(SignedRecordImmutableError);
    await expect(w.deps.records.replace({ ...signed, state: 'draft' }, signed.updatedAt)).rejects.toBeInstanceOf(SignedRecordImmutableError);
    await expect(w.deps.records.insertVersion({ ...signed, notes: 'Altered notes' })).rejects.toThrow();
    await unchanged();
  });

  it('is refused by the mongoose model, whichever method is used', async () => {
    const m = w.store.models.records;
    const doc = await m.findById(signedDocId);
    expect(doc).not.toBeNull();
    doc?.set('notes', 'Altered notes');
    await expect(doc?.save()).rejects.toBeInstanceOf(SignedRecordImmutableError);
    const set = { $set: { notes: 'Altered notes', state: 'draft' } };
    expect((await m.updateOne({ _id: signedDocId }, set)).modifiedCount).toBe(0);
    expect((await m.updateMany({ recordId, state: 'signed' }, set)).modifiedCount).toBe(0);
    expect(await m.findOneAndUpdate({ _id: signedDocId }, set, { new: true })).toBeNull();
    expect(await m.findByIdAndUpdate(signedDocId, set)).toBeNull();
    expect((await m.replaceOne({ _id: signedDocId }, { recordId, version: 1, state: 'draft', notes: 'Altered notes' })).modifiedCount).toBe(0);
    expect(await m.findOneAndReplace({ _id: signedDocId }, { recordId, version: 1, state: 'draft' })).toBeNull();
    expect((await m.deleteOne({ _id: signedDocId })).deletedCount).toBe(0);
    expect((await m.deleteMany({ recordId, state: 'signed' })).deletedCount).toBe(0);
    expect(await m.findOneAndDelete({ _id: signedDocId })).toBeNull();
    expect(await m.findByIdAndDelete(signedDocId)).toBeNull();
    const fresh = await m.findById(signedDocId);
    expect((await fresh?.updateOne(set))?.modifiedCount).toBe(0);
    expect((await fresh?.deleteOne())?.deletedCount ?? 0).toBe(0);
    for (const op of [
      { updateOne: { filter: { _id: signedDocId }, update: set } },
      { updateMany: { filter: { recordId, state: 'signed' }, update: set } },
      { replaceOne: { filter: { _id: signedDocId }, replacement: { _id: signedDocId, recordId, version: 1, state: 'draft' } } },
      { deleteOne: { filter: { _id: signedDocId } } },
      { deleteMany: { filter: { recordId, state: 'signed' } } },
    ]) {
      const result = await m.bulkWrite([op] as Parameters<typeof m.bulkWrite>[0]).catch((error: unknown) => error);
      if (result instanceof SignedRecordImmutableError) continue;
      expect(result, Object.keys(op)[0]).toMatchObject({ modifiedCount: 0, deletedCount: 0 });
    }
    await expect(m.create({ _id: signedDocId, recordId, version: 1, state: 'draft' })).rejects.toThrow();
    await expect(m.insertMany([{ _id: signedDocId, recordId, version: 1, state: 'draft' }])).rejects.toThrow();
    await unchanged();
  });

  it('is corrected by a new version both sign again; the signed one is kept unchanged', async () => {
    const corrected = await correctSignedRecord(w.deps, 'sup', { recordId });
    expect(corrected).toMatchObject({ ok: true, view: { state: 'draft' } });
    const edited = await draftRecord(w.deps, 'sup', { sessionId, topics: ['performance'], notes: 'Corrected notes', submit: true });
    expect(edited).toMatchObject({ ok: true, view: { state: 'awaiting-confirmation' } });
    expect(await confirmRecord(w.deps, 'amy', { recordId })).toMatchObject({ ok: true, data: { signed: false } });
    expect(await confirmRecord(w.deps, 'sup', { recordId })).toMatchObject({ ok: true, data: { signed: true } });
    const v2 = await w.deps.records.latest(recordId);
    expect(v2).toMatchObject({ version: 2, state: 'signed', notes: 'Corrected notes', supersedesVersion: 1 });
    expect((await w.deps.records.versions(recordId)).map((r) => [r.version, r.state])).toEqual([
      [1, 'signed'],
      [2, 'signed'],
    ]);
    await unchanged();
    // both versions remain readable by a party and by an auditor
    expect(await viewRecord(w.deps, 'auditor', { recordId, version: 1 })).toMatchObject({ ok: true });
    expect(await viewRecord(w.deps, 'amy', { recordId, version: 1 })).toMatchObject({ ok: true });
    expect(await w.deps.audit.verify('org-wl')).toMatchObject({ ok: true });
  });
});
