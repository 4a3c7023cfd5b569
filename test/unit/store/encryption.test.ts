/**
 * The field cipher without a database: envelopes round-trip (text and cards), name their key, and refuse a
 * changed byte; a document's listed paths (lists and nested fields) are rewritten without touching the caller's
 * objects; an update's dotted field names reach the same paths; master keys wrap and refuse each other's keys.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopeKeyId, FieldCipher, isEnvelope, localMasterKey, MasterKeyError, parseMasterKey, pathsWithin } from '../../../src/store/encryption.js';

/** A cipher over an in-memory stand-in for the `dataKeys` collection (the driver calls the cipher makes). */
function memoryCipher() {
  const docs = new Map<string, Record<string, unknown>>();
  const collection = {
    async findOne(filter: Record<string, unknown>) {
      if (typeof filter._id === 'string') return docs.get(filter._id) ?? null;
      return [...docs.values()].find((d) => d.masterKeyId !== (filter.masterKeyId as { $ne: string }).$ne) ?? null;
    },
    find(filter: { organisationId: string }) {
      const list = [...docs.values()].filter((d) => d.organisationId === filter.organisationId).sort((a, b) => (b.n as number) - (a.n as number));
      return { sort: () => ({ limit: () => ({ next: async () => list[0] ?? null }) }) };
    },
    async insertOne(doc: Record<string, unknown>) {
      if (docs.has(doc._id as string)) throw Object.assign(new Error('duplicate'), { code: 11000 });
      docs.set(doc._id as string, doc);
    },
  };
  return new FieldCipher(localMasterKey(randomBytes(32)), () => collection as never);
}

describe('the field cipher', () => {
  it('round-trips text and cards, names the organisation’s key, and refuses a changed byte', async () => {
    const cipher = memoryCipher();
    const sealed = (await cipher.encryptValue('org-a', 'A pupil seems withdrawn')) as string;
    expect(isEnvelope(sealed)).toBe(true);
    expect(sealed).not.toContain('withdrawn');
    expect(envelopeKeyId(sealed)).toBe('org-a#1');
    expect(await cipher.decryptValue(sealed)).toBe('A pupil seems withdrawn');
    const card = { kind: 'record', at: new Date('2026-01-05T09:00:00Z'), lines: ['Notes: the plan'] };
    const sealedCard = await cipher.encryptValue('org-a', card);
    expect(JSON.stringify(sealedCard)).not.toContain('the plan');
    expect(await cipher.decryptValue(sealedCard)).toEqual(card);
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[parts.length - 1] as string, 'base64');
    ct[0] = (ct[0] as number) ^ 1;
    parts[parts.length - 1] = ct.toString('base64');
    await expect(cipher.decryptValue(parts.join(':'))).rejects.toThrow();
    // plain text (written before encryption, or '' after destruction) reads as it is
    expect(await cipher.decryptValue('as typed')).toBe('as typed');
    expect(await cipher.encryptValue('org-a', '')).toBe('');
  });

  it('rewrites the listed paths of a document, leaving the caller’s objects as they were', async () => {
    const cipher = memoryCipher();
    const concerns = [{ id: 'c1', text: 'Worried about attendance', riskOfHarm: false }];
    const doc: Record<string, unknown> = { _id: 'r1', organisationId: 'org-a', notes: 'Talked it through', concerns, dispute: { reason: 'Wrong date', byId: 'ben' }, state: 'signed' };
    const paths = ['notes', 'concerns[].text', 'dispute.reason', 'dispute.resolution', 'correction.reason'];
    await cipher.encryptDoc('org-a', doc, paths);
    expect(concerns[0]?.text).toBe('Worried about attendance');
    expect(JSON.stringify(doc)).not.toMatch(/Talked|Worried|Wrong date/);
    expect(doc).toMatchObject({ state: 'signed', dispute: { byId: 'ben' }, concerns: [{ id: 'c1', riskOfHarm: false }] });
    expect(doc).not.toHaveProperty('correction');
    await cipher.decryptDoc(doc, paths);
    expect(doc).toEqual({ _id: 'r1', organisationId: 'org-a', notes: 'Talked it through', concerns, dispute: { reason: 'Wrong date', byId: 'ben' }, state: 'signed' });
  });

  it('finds the encrypted paths an update’s field names reach', () => {
    const paths = ['text', 'notNeeded.reason', 'concerns[].text'];
    expect(pathsWithin('text', paths)).toEqual([[]]);
    expect(pathsWithin('notNeeded', paths)).toEqual([['reason']]);
    expect(pathsWithin('notNeeded.reason', paths)).toEqual([[]]);
    expect(pathsWithin('concerns', paths)).toEqual([['[]', 'text']]);
    expect(pathsWithin('concerns.2.text', paths)).toEqual([[]]);
    expect(pathsWithin('status', paths)).toEqual([]);
  });

  it('master keys: 32 bytes as base64 or hex; one key does not unwrap another’s data key', async () => {
    expect(() => parseMasterKey('short')).toThrow(MasterKeyError);
    expect(parseMasterKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseMasterKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    const a = localMasterKey(randomBytes(32));
    const b = localMasterKey(randomBytes(32));
    const dataKey = randomBytes(32);
    expect(await a.unwrap(await a.wrap(dataKey))).toEqual(dataKey);
    await expect(b.unwrap(await a.wrap(dataKey))).rejects.toThrow();
    expect(a.id).not.toBe(b.id);
  });
});
