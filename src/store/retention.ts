/**
 * The retention schedule, legal holds, subject access reviews (the `retention` and `subjectAccess` collections)
 * and the one write that may change a signed record version: destruction the DSL approved under the schedule.
 * That write goes to the collections' drivers directly, past the models' guard against changing signed
 * versions (`guardSignedRecords`), and it marks every version it touches `destroyed`, naming the tombstone the
 * audit trail holds for it — so it is never silent and `audit verify` accepts it only with that tombstone.
 */
import type { LegalHold, RetentionRepository, SubjectAccessRequest } from '../app/ports.js';
import type { DestructionMark } from '../domain/types.js';
import { fromDoc, stripUndefined, toDoc, upsertRace } from './documents.js';
import type { Models } from './models.js';

type Doc = Record<string, unknown>;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A record revision with its people's words taken out; the structure (ids, owners, dates, states) stays. */
function scrubRecord(doc: Doc, mark: DestructionMark): Doc {
  const list = (v: unknown) => (Array.isArray(v) ? (v as Doc[]) : []);
  const out: Doc = {
    ...doc,
    notes: '',
    concerns: list(doc.concerns).map((c) => ({ ...c, text: '' })),
    caseDecisions: list(doc.caseDecisions).map((d) => ({ ...d, childRef: '', decision: '', rationale: '' })),
    actions: list(doc.actions).map((a) => ({ ...a, text: '' })),
    previousActionsReviewed: list(doc.previousActionsReviewed).map(({ note: _note, ...p }) => p),
    destroyed: mark,
  };
  if (doc.dispute && typeof doc.dispute === 'object') {
    const d = doc.dispute as Doc;
    out.dispute = { ...d, reason: '', ...(d.resolution !== undefined ? { resolution: '' } : {}) };
  }
  if (doc.correction && typeof doc.correction === 'object') out.correction = { ...(doc.correction as Doc), reason: '' };
  return out;
}

export function retentionRepository(m: Models): RetentionRepository {
  const db = () => m.records.db;
  return {
    async schedule(organisationId) {
      const d = await m.retention.findById(`schedule:${organisationId}`).lean<Doc>();
      return d ? { supervisionYears: d.supervisionYears as number, riskOrDecisionYears: d.riskOrDecisionYears as number, setById: d.setById as string, setAt: d.setAt as Date } : null;
    },
    async setSchedule(organisationId, schedule, byId, at) {
      await upsertRace(() => m.retention.updateOne({ _id: `schedule:${organisationId}` }, { $set: { organisationId, kind: 'schedule', ...schedule, setById: byId, setAt: at } }, { upsert: true }));
    },
    async holds(organisationId) {
      const docs = await m.retention.find({ organisationId, kind: 'hold', releasedAt: { $exists: false } }).sort({ placedAt: 1 }).lean<Doc[]>();
      return docs.map((d) => fromDoc<LegalHold>({ ...d, _id: d.holdId }, ['kind', 'holdId']) as LegalHold);
    },
    async placeHold(hold) {
      await m.retention.create({ ...toDoc({ ...hold, id: `hold:${hold.id}` }), holdId: hold.id, kind: 'hold' });
    },
    async releaseHold(organisationId, holdId, byId, at) {
      const r = await m.retention.updateOne({ _id: `hold:${holdId}`, organisationId, releasedAt: { $exists: false } }, { $set: { releasedAt: at, releasedById: byId } });
      return r.modifiedCount === 1;
    },
    async riskLinks(organisationId) {
      const [items, escalations] = await Promise.all([
        m.agendaItems.find({ organisationId, $or: [{ riskOfHarm: true }, { escalationId: { $exists: true } }] }).select({ sessionId: 1 }).lean<Doc[]>(),
        m.escalations.find({ organisationId }).select({ source: 1 }).lean<Doc[]>(),
      ]);
      return {
        sessionIds: new Set(items.map((i) => i.sessionId).filter((s): s is string => typeof s === 'string')),
        recordIds: new Set(escalations.map((e) => (e.source as { recordId?: string } | undefined)?.recordId).filter((s): s is string => typeof s === 'string')),
      };
    },
    async noticed(organisationId) {
      const d = await m.retention.findById(`noticed:${organisationId}`).lean<Doc>();
      return (d?.recordIds as string[] | undefined) ?? [];
    },
    async setNoticed(organisationId, recordIds, at) {
      await upsertRace(() => m.retention.updateOne({ _id: `noticed:${organisationId}` }, { $set: { organisationId, kind: 'noticed', recordIds, at } }, { upsert: true }));
    },
    async destroyRecord(recordId, sessionId, marks) {
      const first = [...marks.values()][0];
      if (!first) return;
      // past the model (and its guard): destruction under an approved rule is the one change a signed version takes
      const records = m.records.collection;
      for (const doc of await records.find({ recordId }).toArray()) {
        const mark = marks.get(doc.version as number) ?? first;
        await records.replaceOne({ _id: doc._id }, scrubRecord(doc as Doc, mark));
      }
      const mark = { destroyed: first };
      await m.actions.collection.updateMany({ recordId }, { $set: { text: '', ...mark } });
      await m.actions.collection.updateMany({ recordId, 'notNeeded.reason': { $exists: true } }, { $set: { 'notNeeded.reason': '' } });
      await m.caseDecisions.collection.updateMany({ recordId }, { $set: { childRef: '', decision: '', rationale: '', ...mark } });
      await m.agendaItems.collection.updateMany({ sessionId }, { $set: { text: '', ...mark } });
      await m.sessions.collection.updateMany({ _id: sessionId as never, statusReason: { $exists: true } }, { $set: { statusReason: '' } });
      await m.sessionRequests.collection.updateMany({ sessionId, reason: { $exists: true } }, { $set: { reason: '' } });
      // the messages that carried the record or the session's agenda to people's chats
      await m.outbox.collection.deleteMany({ threadKey: { $in: [`record:${recordId}`, `agenda:${sessionId}`] } });
      const inbox = db().collection('playgroundInbox');
      await inbox.deleteMany({ _id: { $regex: `\\|(record:${escapeRegex(recordId)}|agenda:${escapeRegex(sessionId)})$` } as never });
    },
    async putSubjectAccess(request) {
      await m.subjectAccess.create(stripUndefined(toDoc(request)));
    },
    async subjectAccess(id) {
      const d = fromDoc<SubjectAccessRequest & { decided?: Array<{ id: string; decision: 'keep' | 'redact' }> }>(await m.subjectAccess.findById(id).lean<Doc>(), []);
      if (!d) return null;
      const { decided, ...request } = d;
      // passage ids hold dots: the decisions are stored as a list, not as keys
      return decided ? { ...request, decisions: Object.fromEntries(decided.map((x) => [x.id, x.decision])) } : request;
    },
    async decideSubjectAccess(id, decisions, byId, at) {
      await m.subjectAccess.updateOne({ _id: id }, { $set: { decided: Object.entries(decisions).map(([passage, decision]) => ({ id: passage, decision })), decidedById: byId, decidedAt: at } });
    },
  };
}
