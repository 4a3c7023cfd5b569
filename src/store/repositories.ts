/** Repositories over the mongoose models, implementing the app layer's ports. */
import type {
  AccessToken,
  AccessTokenRepository,
  BankHolidayEvent,
  BankHolidayRepository,
  CalendarFeedRepository,
  ActionRepository,
  AgendaRepository,
  CaseDecisionRecord,
  CaseDecisionRepository,
  ComplianceRepository,
  ComplianceSummary,
  ContractRepository,
  DeliveryRepository,
  EscalationRepository,
  HandoverRepository,
  OrganisationRepository,
  Outbox,
  OutboxMessage,
  OutboxReader,
  OutboxRow,
  PersonAsRead,
  PersonRepository,
  Platform,
  RecordRepository,
  ReminderStore,
  SessionRepository,
  SessionRequestRepository,
} from '../app/ports.js';
import { SignedRecordImmutableError, VersionConflictError } from '../app/ports.js';
import type {
  AgendaItem,
  AgreedAction,
  Escalation,
  Handover,
  Organisation,
  Person,
  RecordSheet,
  Reminder,
  Session,
  SessionRequest,
  SupervisionContract,
} from '../domain/types.js';
import type { CalendarMeeting } from '../domain/calendar-feed.js';
import { BoundedMap } from '../domain/bounded-memo.js';
import { fromDoc, insertOnce, isOnlyDuplicateKeys, stripUndefined, toDoc, upsertRace } from './documents.js';
import type { Models } from './models.js';

type Doc = Record<string, unknown>;

/**
 * A one-time transition: the filter names the state the document must still be in, and MongoDB applies an
 * `updateOne` to a document atomically, so of any number of callers racing, exactly one sees it modified.
 */
async function transitionOnce(model: { updateOne(filter: object, update: object): Promise<{ modifiedCount: number }> }, filter: object, set: object): Promise<boolean> {
  return (await model.updateOne(filter, { $set: set })).modifiedCount === 1;
}

/** Upserts that race may meet a duplicate key on FerretDB: the document exists, which is what was wanted. */
async function bulkUpsert(model: { bulkWrite(ops: never[], options: { ordered: boolean }): Promise<unknown> }, ops: unknown[]): Promise<void> {
  if (ops.length === 0) return;
  try {
    await model.bulkWrite(ops as never[], { ordered: false });
  } catch (error) {
    if (!isOnlyDuplicateKeys(error)) throw error;
  }
}
const many = <T>(docs: Doc[], internal: string[] = []): T[] => docs.map((d) => fromDoc<T>(d, internal) as T);

export function organisationRepository(m: Models): OrganisationRepository {
  return {
    async get(id) {
      return fromDoc<Organisation>(await m.organisations.findById(id).lean<Doc>());
    },
    async upsert(org) {
      await m.organisations.replaceOne({ _id: org.id }, toDoc(org), { upsert: true });
    },
    async list() {
      return many<Organisation>(await m.organisations.find().lean<Doc[]>());
    },
    async bySlackTeam(teamId) {
      return fromDoc<Organisation>(await m.organisations.findOne({ slackTeamId: teamId }).lean<Doc>());
    },
  };
}

const PERSON_INTERNAL = ['unreachableAny', 'unreachable'];

/** A person's document as read: the store's own fields dropped, the platforms where they were unreachable named. */
function personFromDoc(doc: Doc | null): PersonAsRead | null {
  const person = fromDoc<PersonAsRead>(doc, PERSON_INTERNAL);
  const unreachableOn = Object.keys((doc?.unreachable ?? {}) as Record<string, Date>) as Platform[];
  if (person && unreachableOn.length > 0) person.unreachableOn = unreachableOn;
  return person;
}

/** What `upsert` writes of a person: never the reachability a read of them carries (`setReachability` keeps it). */
export function personFields(person: Person): Omit<PersonAsRead, 'id' | 'unreachableOn'> {
  const { id: _id, unreachableOn: _kept, ...rest } = person as PersonAsRead;
  return rest;
}

export function personRepository(m: Models): PersonRepository {
  const byIdentity = async (key: string) => {
    const link = await m.identities.findById(key).lean<{ personId?: string }>();
    return link?.personId ? personFromDoc(await m.people.findById(link.personId).lean<Doc>()) : null;
  };
  return {
    async get(id) {
      return personFromDoc(await m.people.findById(id).lean<Doc>());
    },
    async getMany(ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      const docs = unique.length === 1 ? [await m.people.findById(unique[0]).lean<Doc>()] : await m.people.find({ _id: { $in: unique } }).lean<Doc[]>();
      return docs.map(personFromDoc).filter((p): p is PersonAsRead => p !== null);
    },
    async byOrganisation(organisationId) {
      return (await m.people.find({ organisationId }).lean<Doc[]>()).map((d) => personFromDoc(d) as PersonAsRead);
    },
    async trained(organisationId) {
      return (await m.people.find({ organisationId, supervisionTrainingDate: { $type: 'string' } }).lean<Doc[]>()).map((d) => personFromDoc(d) as PersonAsRead);
    },
    async bySlackUser(slackUserId, organisationId) {
      if (organisationId === undefined) return byIdentity(`slack:${slackUserId}`);
      return personFromDoc(await m.people.findOne({ organisationId, 'identities.slackUserId': slackUserId }).lean<Doc>());
    },
    byTeamsUser: (aadObjectId) => byIdentity(`teams:${aadObjectId.toLowerCase()}`),
    async upsert(person) {
      const id = person.id;
      await upsertRace(() => m.people.updateOne({ _id: id }, { $set: stripUndefined(personFields(person)) }, { upsert: true }));
      const links: Array<[string, string | undefined]> = [
        ['slack', person.identities.slackUserId],
        ['teams', person.identities.teamsAadObjectId?.toLowerCase()],
      ];
      for (const [platform, value] of links) {
        if (!value) continue;
        // An identity belongs to one person: the _id makes it unique without a sparse index.
        await m.identities.updateOne({ _id: `${platform}:${value}` }, { $set: { personId: id } }, { upsert: true });
      }
    },
    async setReachability(personId, platform, reachable, at) {
      const doc = await m.people.findById(personId).select({ unreachable: 1 }).lean<{ unreachable?: Record<string, Date> }>();
      // nothing to write when it is already so (every delivery reports the person reachable)
      if (reachable && !doc?.unreachable?.[platform]) return false;
      const unreachable = { ...(doc?.unreachable ?? {}) };
      if (reachable) delete unreachable[platform];
      else unreachable[platform] ??= at;
      await m.people.updateOne(
        { _id: personId },
        { $set: { unreachable, unreachableAny: Object.keys(unreachable).length > 0 } },
      );
      return true;
    },
    async unreachable(organisationId) {
      const docs = await m.people.find({ organisationId, unreachableAny: true }).lean<Doc[]>();
      return docs.flatMap((d) => {
        const person = fromDoc<Person>(d, PERSON_INTERNAL) as Person;
        return Object.entries((d.unreachable ?? {}) as Record<string, Date>).map(([platform, since]) => ({
          person,
          platform: platform as Platform,
          since,
        }));
      });
    },
  };
}

export function contractRepository(m: Models): ContractRepository {
  return {
    async get(id) {
      return fromDoc<SupervisionContract>(await m.contracts.findById(id).lean<Doc>());
    },
    async upsert(contract) {
      await m.contracts.replaceOne({ _id: contract.id }, toDoc(contract), { upsert: true });
    },
    async byOrganisation(organisationId) {
      return many<SupervisionContract>(await m.contracts.find({ organisationId }).lean<Doc[]>());
    },
    async forPerson(personId) {
      const docs = await m.contracts
        .find({ active: true, $or: [{ supervisorIds: personId }, { superviseeIds: personId }] })
        .lean<Doc[]>();
      return many<SupervisionContract>(docs);
    },
    async reviewDueBefore(organisationId, date) {
      return many<SupervisionContract>(
        await m.contracts.find({ organisationId, active: true, reviewDueDate: { $lt: date } }).lean<Doc[]>(),
      );
    },
    async allActive() {
      return many<SupervisionContract>(await m.contracts.find({ active: true }).lean<Doc[]>());
    },
    async activePage(afterId, limit) {
      const filter = afterId === undefined ? { active: true } : { active: true, _id: { $gt: afterId } };
      return many<SupervisionContract>(await m.contracts.find(filter).sort({ _id: 1 }).limit(limit).lean<Doc[]>());
    },
    async sign(contractId, terms, signature) {
      // one conditional update: the terms still those agreed to, and not signed by them yet
      const doc = await m.contracts
        .findOneAndUpdate({ _id: contractId, 'agreement.terms': terms, 'signatures.personId': { $ne: signature.personId } }, { $push: { signatures: signature } }, { new: true })
        .lean<Doc>();
      return fromDoc<SupervisionContract>(doc);
    },
    async settleAgreement(contractId, terms) {
      const result = await m.contracts.updateOne({ _id: contractId, awaitingSignatures: true, 'agreement.terms': terms }, { $unset: { awaitingSignatures: '' } });
      return result.modifiedCount === 1;
    },
    async waitingForSignatures(organisationId) {
      return many<SupervisionContract>(await m.contracts.find({ organisationId, active: true, awaitingSignatures: true }).lean<Doc[]>());
    },
  };
}

export function sessionRepository(m: Models): SessionRepository {
  return {
    async get(id) {
      return fromDoc<Session>(await m.sessions.findById(id).lean<Doc>());
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      return many<Session>(await m.sessions.find({ _id: { $in: ids } }).lean<Doc[]>());
    },
    insert: (session) => insertOnce(m.sessions, toDoc(session)),
    async setAttendance(id, attendance) {
      await m.sessions.updateOne({ _id: id }, { $set: { attendance } });
    },
    async setOutlook(id, patch) {
      await m.sessions.updateOne({ _id: id }, { $set: stripUndefined(patch) });
    },
    async transition(id, from, to, patch) {
      // A session leaves each state at most once (scheduled → held | cancelled | missed; missed → held).
      return transitionOnce(m.sessions, { _id: id, status: from }, stripUndefined({ status: to, ...patch }));
    },
    async byContract(contractId) {
      return many<Session>(await m.sessions.find({ contractId }).sort({ startsAt: 1 }).lean<Doc[]>());
    },
    async byContracts(contractIds) {
      if (contractIds.length === 0) return [];
      return many<Session>(await m.sessions.find({ contractId: { $in: contractIds } }).sort({ contractId: 1, startsAt: 1 }).lean<Doc[]>());
    },
    async insertMany(sessions) {
      const inserted = new Set<string>();
      for (let i = 0; i < sessions.length; i += 1000) {
        const slice = sessions.slice(i, i + 1000);
        const refused = new Set<number>();
        try {
          await m.sessions.insertMany(slice.map((s) => toDoc(s)), { ordered: false, lean: true });
        } catch (error) {
          // another booker's session has the id or the booking key: the unique indexes decide, as `insert`'s do
          if (!isOnlyDuplicateKeys(error)) throw error;
          const writeErrors = (error as { writeErrors?: Array<{ index?: number; err?: { index?: number } }> }).writeErrors;
          if (!Array.isArray(writeErrors)) refused.add(-1);
          else for (const e of writeErrors) refused.add(e.index ?? e.err?.index ?? -1);
          if (refused.has(-1)) {
            // no index given: what is stored says which are this call's (the same booking, booked at the same instant)
            const stored = new Map((await m.sessions.find({ _id: { $in: slice.map((s) => s.id) } }).lean<Doc[]>()).map((d) => [String(d._id), d]));
            refused.clear();
            slice.forEach((s, k) => {
              const d = stored.get(s.id);
              const mine = d && d.bookingKey === s.bookingKey && (d.bookedAt as Date | undefined)?.getTime() === s.bookedAt?.getTime();
              if (!mine) refused.add(k);
            });
          }
        }
        slice.forEach((s, k) => {
          if (!refused.has(k)) inserted.add(s.id);
        });
      }
      return inserted;
    },
    async nextScheduled(contractId, after) {
      const doc = await m.sessions
        .findOne({ contractId, status: 'scheduled', startsAt: { $gt: after } })
        .sort({ startsAt: 1 })
        .lean<Doc>();
      return fromDoc<Session>(doc);
    },
    async lastHeld(contractId) {
      return fromDoc<Session>(await m.sessions.findOne({ contractId, status: 'held' }).sort({ startsAt: -1 }).lean<Doc>());
    },
    async scheduledInRoom(organisationId, room, from, to) {
      return many<Session>(await m.sessions.find({ organisationId, room, status: 'scheduled', startsAt: { $gte: from, $lt: to } }).lean<Doc[]>());
    },
    async scheduledBetween(from, to) {
      return many<Session>(await m.sessions.find({ status: 'scheduled', startsAt: { $gte: from, $lt: to } }).lean<Doc[]>());
    },
    async byOrganisation(organisationId) {
      return many<Session>(await m.sessions.find({ organisationId }).lean<Doc[]>());
    },
  };
}

export function sessionRequestRepository(m: Models): SessionRequestRepository {
  return {
    insert: (request) => insertOnce(m.sessionRequests, toDoc(request)),
    async get(id) {
      return fromDoc<SessionRequest>(await m.sessionRequests.findById(id).lean<Doc>());
    },
    async openForContract(contractId) {
      return many<SessionRequest>(await m.sessionRequests.find({ contractId, status: 'open' }).sort({ requestedAt: 1 }).lean<Doc[]>());
    },
    async markBooked(id, sessionId, byId, at) {
      return transitionOnce(m.sessionRequests, { _id: id, status: 'open' }, { status: 'booked', sessionId, bookedById: byId, bookedAt: at });
    },
  };
}

export function agendaRepository(m: Models): AgendaRepository {
  return {
    add: (item) => insertOnce(m.agendaItems, toDoc(item)),
    async get(id) {
      return fromDoc<AgendaItem>(await m.agendaItems.findById(id).lean<Doc>());
    },
    async forSession(sessionId) {
      return many<AgendaItem>(await m.agendaItems.find({ sessionId }).sort({ createdAt: 1 }).lean<Doc[]>());
    },
    async parked(contractId) {
      return many<AgendaItem>(await m.agendaItems.find({ contractId, parked: true }).sort({ createdAt: 1 }).lean<Doc[]>());
    },
    async forContractSession(contractId, sessionId) {
      const items = many<AgendaItem>(
        await m.agendaItems.find({ $or: [{ contractId, parked: true }, { sessionId }] }).sort({ createdAt: 1 }).lean<Doc[]>(),
      );
      return [...items.filter((i) => i.parked && i.contractId === contractId), ...items.filter((i) => !(i.parked && i.contractId === contractId))];
    },
    async attachParked(contractId, sessionId) {
      const result = await m.agendaItems.updateMany({ contractId, parked: true }, { $set: { parked: false, sessionId } });
      return result.modifiedCount;
    },
    async setEscalation(itemId, escalationId) {
      await m.agendaItems.updateOne({ _id: itemId }, { $set: { escalationId } });
    },
  };
}

const RECORD_INTERNAL = ['recordId', 'revision', 'current'];
const revisionKey = (id: string, version: number, revision: number) => `${id}@${version}#${revision}`;
const recordFromDoc = (doc: Doc | null) => (doc ? ({ ...fromDoc<RecordSheet>(doc, RECORD_INTERNAL), id: doc.recordId } as RecordSheet) : null);
const recordToDoc = (r: RecordSheet, revision: number) =>
  toDoc({ ...r, id: revisionKey(r.id, r.version, revision) }, { recordId: r.id, revision, current: true });

/** Only the newest revision of each record version counts, even if a writer died before retiring the old one. */
function newestRevisions(docs: Doc[]): RecordSheet[] {
  const newest = new Map<string, Doc>();
  for (const d of docs) {
    const key = `${d.recordId}@${d.version}`;
    const seen = newest.get(key);
    if (!seen || (seen.revision as number) < (d.revision as number)) newest.set(key, d);
  }
  return [...newest.values()].map((d) => recordFromDoc(d) as RecordSheet);
}

/**
 * Every change to a record is a new revision document with a unique `_id`: the insert is the optimistic
 * check (two racing writers cannot both create revision n+1), and earlier revisions stay as history.
 */
export function recordRepository(m: Models): RecordRepository {
  /**
   * The newest revision (of the newest version, or of `version`): one read down the
   * `{ recordId, version: -1, revision: -1 }` index. Versions and revisions are dense and each is inserted only
   * after the one before, so the first document in that order is the newest.
   */
  const latestDoc = (filter: Doc) => m.records.findOne(filter).sort({ version: -1, revision: -1 }).lean<Doc>();
  /**
   * What this process last read or wrote of each record version: its revision, state and `updatedAt`. A
   * `replace` whose caller read that same revision needs no second read to learn the revision number: the insert
   * of the next one is still the check, so a stale entry (another process wrote since) ends in a conflict.
   */
  const seen = new BoundedMap<string, { revision: number; state: string; updatedAt: number }>(10_000);
  const note = (doc: Doc | null): Doc | null => {
    if (doc) seen.set(`${doc.recordId}@${doc.version}`, { revision: doc.revision as number, state: doc.state as string, updatedAt: (doc.updatedAt as Date).getTime() });
    return doc;
  };
  const newest = async (recordId: string, version?: number): Promise<Doc | null> => note(await latestDoc(version === undefined ? { recordId } : { recordId, version }));
  return {
    async latest(recordId) {
      return recordFromDoc(await newest(recordId));
    },
    async version(recordId, version) {
      return recordFromDoc(await newest(recordId, version));
    },
    async versions(recordId) {
      return newestRevisions(await m.records.find({ recordId }).sort({ version: 1 }).lean<Doc[]>());
    },
    async bySession(sessionId) {
      return recordFromDoc(await latestDoc({ sessionId }));
    },
    async insertVersion(record) {
      if (!(await insertOnce(m.records, recordToDoc(record, 1)))) {
        throw new VersionConflictError(`version ${record.version} of the record exists already`);
      }
    },
    async replace(record, expectedUpdatedAt) {
      const key = `${record.id}@${record.version}`;
      let stored = seen.get(key);
      if (stored?.updatedAt !== expectedUpdatedAt.getTime()) {
        // not the revision this process knows of: read the newest (`newest` notes it in `seen`)
        if (!(await newest(record.id, record.version))) throw new VersionConflictError('the record does not exist');
        stored = seen.get(key);
      }
      if (!stored) throw new VersionConflictError('the record does not exist');
      if (stored.state === 'signed') throw new SignedRecordImmutableError();
      if (stored.updatedAt !== expectedUpdatedAt.getTime()) throw new VersionConflictError();
      const revision = stored.revision + 1;
      if (!(await insertOnce(m.records, recordToDoc(record, revision)))) {
        seen.delete(key);
        throw new VersionConflictError();
      }
      seen.set(key, { revision, state: record.state, updatedAt: record.updatedAt.getTime() });
      await m.records.updateOne({ _id: revisionKey(record.id, record.version, revision - 1) }, { $set: { current: false } });
    },
    async awaitingConfirmation(organisationId) {
      // sent and not signed: waiting for confirmation, or with a change asked for and not yet settled
      // a record destroyed under the retention schedule waits for nobody
      const docs = await m.records.find({ organisationId, current: true, state: { $in: ['awaiting-confirmation', 'disputed'] }, destroyed: { $exists: false } }).lean<Doc[]>();
      const candidates = newestRevisions(docs);
      // A revision that was superseded but not yet retired must not count: check each against its newest.
      const checked = await Promise.all(candidates.map(async (r) => ((await this.version(r.id, r.version))?.state === r.state ? r : null)));
      return checked.filter((r): r is RecordSheet => r !== null).sort((a, b) => (a.submittedAt?.getTime() ?? 0) - (b.submittedAt?.getTime() ?? 0));
    },
    async forPerson(personId) {
      const docs = await m.records
        .find({ current: true, $or: [{ supervisorId: personId }, { superviseeIds: personId }] })
        .lean<Doc[]>();
      return newestRevisions(docs).sort((a, b) => b.date.localeCompare(a.date) || b.version - a.version);
    },
    async byOrganisation(organisationId) {
      // a writer that died before retiring the old revision leaves two marked current: the newest counts
      return newestRevisions(await m.records.find({ organisationId, current: true }).lean<Doc[]>());
    },
  };
}

export function actionRepository(m: Models): ActionRepository {
  return {
    async upsertMany(actions) {
      if (actions.length === 0) return;
      await bulkUpsert(m.actions, actions.map((a) => ({ updateOne: { filter: { _id: a.id }, update: { $setOnInsert: toDoc(a) }, upsert: true } })));
    },
    async get(id) {
      return fromDoc<AgreedAction>(await m.actions.findById(id).lean<Doc>());
    },
    async complete(id, at, closure) {
      // one conditional update for either way of closing it: done and "not needed" cannot both win
      const set = closure?.notNeededReason !== undefined
        ? { status: 'not-needed', completedAt: at, closedById: closure.byId, notNeeded: { reason: closure.notNeededReason } }
        : { status: 'done', completedAt: at, ...(closure ? { closedById: closure.byId } : {}) };
      return transitionOnce(m.actions, { _id: id, status: 'open' }, set);
    },
    async openForPerson(personId) {
      return many<AgreedAction>(await m.actions.find({ ownerId: personId, status: 'open', destroyed: { $exists: false } }).sort({ dueDate: 1 }).lean<Doc[]>());
    },
    async openForContract(contractId) {
      return many<AgreedAction>(await m.actions.find({ contractId, status: 'open', destroyed: { $exists: false } }).sort({ dueDate: 1 }).lean<Doc[]>());
    },
    async handOver(id, patch) {
      return transitionOnce(m.actions, { _id: id, status: 'open' }, patch);
    },
    async lateBefore(organisationId, today) {
      return many<AgreedAction>(
        // the actions of a record destroyed under the retention schedule are no longer followed up
        await m.actions.find({ organisationId, status: 'open', dueDate: { $lt: today }, destroyed: { $exists: false } }).sort({ dueDate: 1 }).lean<Doc[]>(),
      );
    },
    async byOrganisation(organisationId) {
      return many<AgreedAction>(await m.actions.find({ organisationId }).lean<Doc[]>());
    },
  };
}

const decisionKey = (recordId: string, id: string) => `${recordId}:${id}`;
const decisionFromDoc = (d: Doc | null) =>
  d ? ({ ...fromDoc<CaseDecisionRecord>(d, ['copied', 'decisionId']), id: d.decisionId } as CaseDecisionRecord) : null;

export function caseDecisionRepository(m: Models): CaseDecisionRepository {
  return {
    async upsertMany(decisions) {
      if (decisions.length === 0) return;
      await bulkUpsert(m.caseDecisions, decisions.map((d) => ({
          updateOne: {
            filter: { _id: decisionKey(d.recordId, d.id) },
            update: {
              $setOnInsert: { copied: d.copiedToChildFileAt !== undefined },
              $set: stripUndefined({ ...d, id: undefined, decisionId: d.id, copiedToChildFileAt: undefined, copiedById: undefined, childFileRef: undefined }),
            },
            upsert: true,
          },
        })));
    },
    async get(recordId, decisionId) {
      return decisionFromDoc(await m.caseDecisions.findById(decisionKey(recordId, decisionId)).lean<Doc>());
    },
    async markCopied(recordId, decisionId, byId, at, childFileRef) {
      const key = decisionKey(recordId, decisionId);
      return transitionOnce(m.caseDecisions, { _id: key, copied: false }, { copied: true, copiedToChildFileAt: at, copiedById: byId, ...(childFileRef ? { childFileRef } : {}) });
    },
    async notCopiedDueBefore(organisationId, at) {
      const docs = await m.caseDecisions.find({ organisationId, copied: false, copyDueAt: { $lt: at }, destroyed: { $exists: false } }).sort({ copyDueAt: 1 }).lean<Doc[]>();
      return docs.map((d) => decisionFromDoc(d) as CaseDecisionRecord);
    },
    async notCopiedForContract(contractId) {
      const docs = await m.caseDecisions.find({ contractId, copied: false, destroyed: { $exists: false } }).sort({ copyDueAt: 1 }).lean<Doc[]>();
      return docs.map((d) => decisionFromDoc(d) as CaseDecisionRecord);
    },
    async reassignFollowUp(recordId, decisionId, fromId, toId) {
      return transitionOnce(m.caseDecisions, { _id: decisionKey(recordId, decisionId), copied: false, followUpById: fromId }, { followUpById: toId });
    },
  };
}

export function handoverRepository(m: Models): HandoverRepository {
  const list = async (filter: Record<string, unknown>) => many<Handover>(await m.handovers.find(filter).sort({ createdAt: 1 }).lean<Doc[]>());
  return {
    insert: (handover) => insertOnce(m.handovers, toDoc(handover)),
    async get(id) {
      return fromDoc<Handover>(await m.handovers.findById(id).lean<Doc>());
    },
    pendingForContract: (contractId) => list({ contractId, state: 'pending' }),
    pending: (organisationId) => list({ organisationId, state: 'pending' }),
    pendingFrom: (personId) => list({ fromId: personId, state: 'pending' }),
    forPerson: (personId) => list({ $or: [{ fromId: personId }, { toId: personId }, { superviseeIds: personId }] }),
    async markWritten(id, written) {
      return transitionOnce(m.handovers, { _id: id, state: 'pending' }, { state: 'written', ...written });
    },
  };
}

export function escalationRepository(m: Models): EscalationRepository {
  return {
    insert: (escalation) => insertOnce(m.escalations, toDoc(escalation, { acknowledged: escalation.acknowledgedAt !== undefined })),
    async get(id) {
      return fromDoc<Escalation>(await m.escalations.findById(id).lean<Doc>(), ['acknowledged']);
    },
    async acknowledge(id, byId, at) {
      return transitionOnce(m.escalations, { _id: id, acknowledged: false }, { acknowledged: true, acknowledgedAt: at, acknowledgedById: byId });
    },
    async unacknowledged(organisationId) {
      return many<Escalation>(
        await m.escalations.find({ organisationId, acknowledged: false }).sort({ raisedAt: 1 }).lean<Doc[]>(),
        ['acknowledged'],
      );
    },
    async addNotified(id, recipientIds) {
      if (recipientIds.length > 0) await m.escalations.updateOne({ _id: id }, { $addToSet: { notifiedIds: { $each: recipientIds } } });
    },
  };
}

const complianceFromDoc = (d: Doc | null) =>
  d ? ({ ...fromDoc<ComplianceSummary>(d, ['id']), contractId: d._id } as ComplianceSummary) : null;

export function complianceRepository(m: Models): ComplianceRepository {
  return {
    async upsert(summary) {
      const { contractId, ...rest } = summary;
      await m.compliance.replaceOne({ _id: contractId }, stripUndefined({ _id: contractId, ...rest }), { upsert: true });
    },
    async upsertMany(summaries) {
      for (let i = 0; i < summaries.length; i += 1000) {
        const ops = summaries.slice(i, i + 1000).map(({ contractId, ...rest }) => ({
          replaceOne: { filter: { _id: contractId }, replacement: stripUndefined({ _id: contractId, ...rest }), upsert: true },
        }));
        try {
          await m.compliance.bulkWrite(ops as never[], { ordered: false });
        } catch (error) {
          // an upsert racing another's insert of the same summary: run again, it finds the document (as `upsertRace`)
          if (!isOnlyDuplicateKeys(error)) throw error;
          await m.compliance.bulkWrite(ops as never[], { ordered: false });
        }
      }
    },
    async get(contractId) {
      return complianceFromDoc(await m.compliance.findById(contractId).lean<Doc>());
    },
    async forContracts(contractIds) {
      if (contractIds.length === 0) return [];
      return (await m.compliance.find({ _id: { $in: contractIds } }).lean<Doc[]>()).map((d) => complianceFromDoc(d) as ComplianceSummary);
    },
    async overdueAt(organisationId, now) {
      const docs = await m.compliance.find({ organisationId, sessionOverdueFrom: { $lte: now } }).sort({ sessionOverdueFrom: 1 }).lean<Doc[]>();
      return docs.map((d) => complianceFromDoc(d) as ComplianceSummary);
    },
    async notEngagingAt(organisationId, now) {
      const docs = await m.compliance.find({ organisationId, notEngagingFrom: { $lte: now } }).sort({ notEngagingFrom: 1 }).lean<Doc[]>();
      return docs.map((d) => complianceFromDoc(d) as ComplianceSummary);
    },
    async byOrganisation(organisationId) {
      return (await m.compliance.find({ organisationId }).lean<Doc[]>()).map((d) => complianceFromDoc(d) as ComplianceSummary);
    },
  };
}

const rowFromDoc = (d: Doc | null) => fromDoc<OutboxRow>(d);

export function outboxStore(m: Models): Outbox & OutboxReader {
  return {
    async enqueue(messages: OutboxMessage[]) {
      if (messages.length === 0) return [];
      const ops = messages.map((msg) => ({
        updateOne: {
          filter: { _id: msg.id },
          update: { $setOnInsert: toDoc(msg, { status: 'pending', attempts: 0 }) },
          upsert: true,
        },
      }));
      try {
        const result = (await m.outbox.bulkWrite(ops as never[], { ordered: false })) as { upsertedIds?: Record<string, unknown> };
        return Object.values(result.upsertedIds ?? {}).map(String);
      } catch (error) {
        // a racing writer stored some first: they exist, which is what was wanted; say none was new
        if (!isOnlyDuplicateKeys(error)) throw error;
        return [];
      }
    },
    async pending(limit) {
      return (await m.outbox.find({ status: 'pending' }).sort({ createdAt: 1 }).limit(limit).lean<Doc[]>()).map(
        (d) => rowFromDoc(d) as OutboxRow,
      );
    },
    async get(id) {
      return rowFromDoc(await m.outbox.findById(id).lean<Doc>());
    },
    async markDelivered(id, at, platform) {
      await m.outbox.updateOne({ _id: id }, { $set: { status: 'delivered', deliveredAt: at }, ...(platform ? { $addToSet: { deliveredPlatforms: platform } } : {}) });
    },
    async markPlatformDelivered(id, platform) {
      await m.outbox.updateOne({ _id: id }, { $addToSet: { deliveredPlatforms: platform } });
    },
    async markAttempt(id, error) {
      await m.outbox.updateOne({ _id: id }, { $inc: { attempts: 1 }, $set: { lastError: error.slice(0, 200) } });
    },
  };
}

export function reminderStore(m: Models): ReminderStore {
  return {
    /**
     * Insert by `_id`, else update only what changed: on FerretDB an update (even by `_id`) reads the whole
     * collection, which made rebuilding 10,000 contracts' reminders at start-up quadratic (P6).
     */
    async upsertMany(reminders: Reminder[]) {
      for (const r of reminders) {
        const { id, ...rest } = r;
        const fields = stripUndefined(rest) as Record<string, unknown>;
        if (await insertOnce(m.reminders, { _id: id, ...fields, sent: false })) continue;
        const stored = await m.reminders.findById(id).lean<Doc>();
        const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
        if (stored && Object.entries(fields).every(([k, v]) => same(stored[k], v))) continue;
        // A reminder that fired stays fired: only its timing and recipients follow the data.
        await m.reminders.updateOne({ _id: id }, { $set: fields });
      }
    },
    async syncMany(reminders: Reminder[]) {
      if (reminders.length === 0) return;
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      // the stored ones by id, a thousand at a time (not every reminder due after the earliest: on a deployment
      // of many schools, that read every school's reminders once for each school)
      const stored = new Map<string, Doc>();
      for (let i = 0; i < reminders.length; i += 1000) {
        const ids = reminders.slice(i, i + 1000).map((r) => r.id);
        for (const d of await m.reminders.find({ _id: { $in: ids } }).lean<Doc[]>()) stored.set(String(d._id), d);
      }
      const fresh: Array<{ reminder: Reminder; doc: Doc }> = [];
      const changed: unknown[] = [];
      for (const r of reminders) {
        const { id, ...rest } = r;
        const fields = stripUndefined(rest) as Record<string, unknown>;
        const doc = stored.get(id);
        if (!doc) fresh.push({ reminder: r, doc: { _id: id, ...fields, sent: false } });
        // a reminder that fired stays fired: only its timing and recipients follow the data
        else if (!Object.entries(fields).every(([k, v]) => same(doc[k], v))) changed.push({ updateOne: { filter: { _id: id }, update: { $set: fields } } });
      }
      for (let i = 0; i < fresh.length; i += 1000) {
        const slice = fresh.slice(i, i + 1000);
        try {
          await m.reminders.insertMany(slice.map((f) => f.doc), { ordered: false, lean: true });
        } catch (error) {
          if (!isOnlyDuplicateKeys(error)) throw error;
          // stored with a due time before any read above (or written meanwhile): compared one by one
          await this.upsertMany(slice.map((f) => f.reminder));
        }
      }
      if (changed.length > 0) await m.reminders.bulkWrite(changed as never[], { ordered: false });
    },
    async markSent(reminderId, at) {
      return transitionOnce(m.reminders, { _id: reminderId, sent: { $ne: true } }, { sent: true, sentAt: at });
    },
    async pending(after, before) {
      const dueAt = before ? { $gte: after, $lt: before } : { $gte: after };
      const docs = await m.reminders.find({ sent: false, dueAt }).sort({ dueAt: 1 }).lean<Doc[]>();
      return many<Reminder>(docs, ['sent', 'sentAt']);
    },
    async *pendingTimers(pageSize = 20_000, window = {}) {
      // Soonest first, down the `{sent, dueAt}` index, a page at a time: those already due go on their timers
      // first, and a local authority's 300,000 are never held at once (P6). A page ends before its last instant,
      // and that instant's reminders are read whole by equality, so a page boundary never splits a tie.
      type Timer = { _id: string; kind: Reminder['kind']; dueAt: Date };
      const timer = (d: Timer) => ({ id: d._id, kind: d.kind, dueAt: d.dueAt });
      const fields = { _id: 1, kind: 1, dueAt: 1 };
      let after = window.after ?? new Date(-1);
      const until = window.until ? { $lte: window.until } : {};
      for (;;) {
        const page = await m.reminders.find({ sent: false, dueAt: { $gt: after, ...until } }, fields).sort({ dueAt: 1 }).limit(pageSize).batchSize(pageSize).lean<Timer[]>();
        if (page.length < pageSize) {
          if (page.length > 0) yield page.map(timer);
          return;
        }
        const last = (page[page.length - 1] as Timer).dueAt;
        const before = page.filter((d) => d.dueAt.getTime() < last.getTime());
        if (before.length > 0) yield before.map(timer);
        yield (await m.reminders.find({ sent: false, dueAt: last }, fields).lean<Timer[]>()).map(timer);
        after = last;
      }
    },
    async get(reminderId) {
      const doc = await m.reminders.findById(reminderId).lean<Doc>();
      return doc ? ({ ...fromDoc<Reminder>(doc, ['sentAt']), sent: doc.sent === true } as Reminder & { sent: boolean }) : null;
    },
    async removeForSubject(subjectId) {
      await m.reminders.deleteMany({ subjectId, sent: false });
    },
  };
}

export function deliveryRepository(m: Models): DeliveryRepository {
  const key = (threadKey: string, personId: string, platform: Platform) => `${platform}|${personId}|${threadKey}`;
  return {
    async get(threadKey, personId, platform) {
      const doc = await m.deliveries.findById(key(threadKey, personId, platform)).lean<{ ref?: Record<string, string> }>();
      return doc?.ref ?? null;
    },
    async getEach(threadKeys, personId, platform) {
      const ids = threadKeys.map((t) => key(t, personId, platform));
      const docs = await m.deliveries.find({ _id: { $in: ids } }).lean<Array<{ _id: string; ref?: Record<string, string> }>>();
      const byId = new Map(docs.map((d) => [d._id, d.ref ?? null]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    async put(threadKey, personId, platform, ref) {
      const id = key(threadKey, personId, platform);
      await upsertRace(() => m.deliveries.updateOne({ _id: id }, { $set: { ref } }, { upsert: true }));
    },
  };
}

export function calendarFeedRepository(m: Models): CalendarFeedRepository {
  const secretOf = async (personId: string) => (await m.calendarFeeds.findById(`person:${personId}`).lean<{ secret?: string }>())?.secret ?? null;
  return {
    async issue(personId, organisationId, secret, at) {
      // the person's entry decides (a unique `_id`), then the feed's entry follows; a retry completes either
      const issued = (await insertOnce(m.calendarFeeds, { _id: `person:${personId}`, secret, at })) ? secret : ((await secretOf(personId)) ?? secret);
      await insertOnce(m.calendarFeeds, { _id: `feed:${issued}`, personId, organisationId, at });
      return issued;
    },
    async personOf(secret) {
      const doc = await m.calendarFeeds.findById(`feed:${secret}`).lean<{ personId?: string; organisationId?: string }>();
      return doc?.personId && doc.organisationId ? { personId: doc.personId, organisationId: doc.organisationId } : null;
    },
    current: secretOf,
    async revoke(personId) {
      const secret = await secretOf(personId);
      if (!secret) return false;
      await m.calendarFeeds.deleteOne({ _id: `feed:${secret}` });
      await m.calendarFeeds.deleteOne({ _id: `person:${personId}` });
      return true;
    },
    async putMeeting(meeting) {
      const { id, ...fields } = meeting;
      const _id = `meeting:${id}`;
      // a new time is a change calendars must apply: the same UID with a higher SEQUENCE
      const moved = await m.calendarFeeds.updateOne({ _id, at: { $ne: meeting.at } }, { $set: stripUndefined(fields), $inc: { sequence: 1 } });
      if (moved.matchedCount === 0) await insertOnce(m.calendarFeeds, { _id, ...stripUndefined(fields), sequence: 0 });
    },
    async meeting(id) {
      return meetingOf(await m.calendarFeeds.findById(`meeting:${id}`).lean<Record<string, unknown>>());
    },
    async meetingsFor(personId) {
      const docs = await m.calendarFeeds.find({ personIds: personId }).lean<Array<Record<string, unknown>>>();
      return docs.map(meetingOf).filter((x): x is CalendarMeeting => x !== null);
    },
  };
}

function meetingOf(doc: Record<string, unknown> | null): CalendarMeeting | null {
  if (!doc || typeof doc._id !== 'string' || !doc._id.startsWith('meeting:')) return null;
  const meeting = fromDoc<CalendarMeeting>(doc);
  return meeting ? { ...meeting, id: doc._id.slice('meeting:'.length) } : null;
}

const PURGE_AFTER_MS = 7 * 86_400_000;

export function accessTokenRepository(m: Models): AccessTokenRepository {
  const read = (doc: Doc | null): AccessToken | null => {
    const t = fromDoc<AccessToken & { id: string }>(doc, ['purgeAt']);
    if (!t) return null;
    const { id, ...rest } = t;
    return { ...rest, hash: id };
  };
  return {
    async insert(token) {
      const { hash, ...rest } = token;
      // the TTL monitor removes by the server's real time, and a playground clock set back would have it remove a
      // token still live by that clock: it goes a week after it expires and never sooner than a week from now
      await m.accessTokens.create(stripUndefined({ _id: hash, ...rest, purgeAt: new Date(Math.max(token.expiresAt.getTime(), Date.now()) + PURGE_AFTER_MS) }));
    },
    async redeem(hash, kind, now) {
      const used = await transitionOnce(m.accessTokens, { _id: hash, kind, usedAt: { $exists: false }, expiresAt: { $gt: now } }, { usedAt: now });
      const token = read(await m.accessTokens.findById(hash).lean<Doc>());
      if (used && token) return { ok: true, token };
      if (!token || token.kind !== kind) return { ok: false, reason: 'unknown' };
      return { ok: false, reason: token.usedAt ? 'used' : 'expired' };
    },
    async live(hash, kind, now) {
      const token = read(await m.accessTokens.findById(hash).lean<Doc>());
      return token && token.kind === kind && !token.usedAt && token.expiresAt > now ? token : null;
    },
    async revoke(hash) {
      await m.accessTokens.deleteOne({ _id: hash });
    },
  };
}

export function bankHolidayRepository(m: Models): BankHolidayRepository {
  return {
    async get(division) {
      const doc = await m.bankHolidays.findById(division).lean<{ events?: BankHolidayEvent[]; updatedAt?: Date }>();
      return doc?.events && doc.updatedAt ? { events: doc.events, updatedAt: doc.updatedAt } : null;
    },
    async put(division, events, at) {
      await upsertRace(() => m.bankHolidays.replaceOne({ _id: division }, { _id: division, events, updatedAt: at }, { upsert: true }));
    },
  };
}
