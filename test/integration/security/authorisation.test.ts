/**
 * Authorisation matrix: every role × every command (`COMMAND_HANDLERS`, run as the queue's worker runs them)
 * and every read (`computeOverdue`, `viewRecord`, `nextSession`, `myActions`, and the dashboard's overview, staff
 * list, person history, My supervision and the governors' figures behind the Teams tab and its exports), against Amy's contract
 * (supervisor Sam, dispute route: the safeguarding governor). Expected cells come from the policies
 * (PRODUCT.md, src/domain/permissions.ts):
 *   - only the named supervisor drafts and submits the record (stour §5, §8);
 *   - only the two parties confirm or dispute it, add agenda items, mark the session held (stour §5, §6);
 *   - the two parties, the DSL and deputies flag an agenda item or a record concern as risk of harm after it
 *     was written (template supervisee (d));
 *   - either party refers a change they cannot settle; once referred, the person it is routed to (the governor
 *     here) or the DSL/a deputy arranges the meeting and records the outcome — never a party (white-laith
 *     contract, template "complaints");
 *   - the supervisor, the DSL or a deputy starts the correction of a signed record (stour §5, §8);
 *   - the DSL, deputies and head schedule and see `/overdue` (loughton §2–5), acknowledge escalations, and
 *     chase case decisions to the child's file (template "recording");
 *   - an action is marked done by its owner, the supervisor or a safeguarding lead, and set aside as not
 *     needed (with a reason) only by the supervisor or a safeguarding lead (white-laith);
 *   - a record is seen by its parties and the DSL/deputy; an auditor only once signed; the person hearing a
 *     dispute sees the disputed record; nobody else (template "confidentiality", white-laith contract);
 *   - only a contract's parties sign its supervision agreement, a supervisee asks its supervisor a question about
 *     it, only the DSL starts it before everyone has agreed, only its supervisor reviews it (white-laith B);
 *   - nobody acts on another organisation's data; an unknown person gets nothing.
 * Every cell runs on its own fresh subject; an allowed cell must succeed, a denied one must fail and change
 * nothing in any collection (all documents digested before and after).
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_HANDLERS, type CommandType, runCommand } from '../../../src/app/commands.js';
import { requestTeamsInstalls } from '../../../src/app/identities.js';
import { GraphCalendar } from '../../../src/channels/graph.js';
import { RateLimiter } from '../../../src/channels/rate-limiter.js';
import { createLogger } from '../../../src/logger.js';
import { startTeamsInstalls, type TeamsInstalls } from '../../../src/queue/teams-install.js';
import { testQueuePrefix, testRedisUrl } from '../../support/services.js';
import { agendaForm, agendaLine, NOT_YOURS } from '../../../src/app/agenda.js';
import { calendarFeed, issueCalendarFeed } from '../../../src/app/calendar.js';
import { toFailure, type UseCaseResult } from '../../../src/app/errors.js';
import { dashboardSummary, personHistory, staffDirectory } from '../../../src/app/dashboard.js';
import { mySupervision } from '../../../src/app/mine.js';
import { computeOverdue } from '../../../src/app/overdue.js';
import { openHandover } from '../../../src/app/handover.js';
import { keptForm, recordKeptSession } from '../../../src/app/external.js';
import { setSupervisionTraining } from '../../../src/app/admin/people.js';
import { moveForm, myActions, nextSession, sessionCheck } from '../../../src/app/reads.js';
import { confirmRecord, disputeRecord, draftRecord, viewRecord } from '../../../src/app/records.js';
import { recordToWrite } from '../../../src/app/record-form.js';
import { draftInputFromEdit } from '../../../src/app/record-edit.js';
import type { RecordSheetView } from '../../../src/app/views.js';
import { issueSignInLink } from '../../../src/app/admin/links.js';
import { getOrganisation, updateOrganisation } from '../../../src/app/admin/organisation.js';
import { incidentUptake } from '../../../src/app/incidents.js';
import { setupChecklist } from '../../../src/app/admin/setup.js';
import { checkBundleRequest } from '../../../src/app/evidence/bundle.js';
import { governorsFigures, governorsReport } from '../../../src/app/evidence/governors.js';
import { exportPersonFile } from '../../../src/app/evidence/person-file.js';
import { verifyAudit } from '../../../src/app/evidence/verify.js';
import { endContract } from '../../../src/app/contract-admin.js';
import { createOrEditContract, listContracts } from '../../../src/app/admin/contracts.js';
import { listPeople } from '../../../src/app/admin/people.js';
import { ImportRefused, previewImport } from '../../../src/app/imports.js';
import { type ImportWriter, importWriter } from '../../../src/store/imports.js';
import { getTermDates, setTermDates } from '../../../src/app/admin/terms.js';
import { approveDestruction, placeLegalHold, releaseLegalHold, retentionOverview, setRetentionSchedule } from '../../../src/app/retention.js';
import { decideSubjectAccess, releaseSubjectAccess, startSubjectAccess, subjectAccessReview } from '../../../src/app/evidence/subject-access.js';
import { calendar, contract, london, person, school } from '../../support/school.js';
import { createWorld, type World } from '../../support/world.js';
import { agreementTermsOf } from '../../../src/domain/agreement.js';
import { typedStart } from '../../../src/app/agreement.js';

const ROLES = {
  supervisee: 'amy',
  otherSupervisee: 'ben',
  supervisor: 'sup',
  otherSupervisor: 'sup2',
  dsl: 'dsl',
  deputy: 'deputy',
  head: 'head',
  governor: 'governor',
  auditor: 'auditor',
  stranger: 'stranger',
  /** The business manager: administers the school, never reads supervision content (issue 13). */
  admin: 'admin',
  otherOrganisation: 'x-dsl',
  unknown: 'nobody',
} as const;
type Role = keyof typeof ROLES;

const PARTIES: Role[] = ['supervisee', 'supervisor'];
const LEADS: Role[] = ['dsl', 'deputy', 'head'];
/** Who hears a referred change on Amy's contract: the governor it is routed to, or the DSL/a deputy for them. */
const HEARERS: Role[] = ['governor', 'dsl', 'deputy'];
/** Who administers the school (organisation, people, term dates, contracts): the admin, the DSL, the headteacher. */
const ADMINISTRATORS: Role[] = ['admin', 'dsl', 'head'];

let w: World;
let n = 0;
const cal = calendar();

// Fresh days for fresh subjects: past calendar days for sessions already held, future school days to book.
let past = 0;
const pastDay = () => new Date(Date.UTC(2025, 10, 8) - ++past * 86_400_000).toISOString().slice(0, 10);
let future = 0;
function futureDay(): string {
  for (;;) {
    const d = new Date(Date.UTC(2025, 10, 17) + future++ * 86_400_000).toISOString().slice(0, 10);
    if (cal.isSchoolDay(d)) return d;
  }
}

async function pastSession(): Promise<string> {
  const d = pastDay();
  const id = `c-amy.${d}`;
  await w.deps.sessions.insert({ id, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london(`${d}T15:45`), durationMinutes: 60, status: 'scheduled' });
  return id;
}

async function futureSession(): Promise<string> {
  const d = futureDay();
  const id = `c-amy.${d}`;
  await w.deps.sessions.insert({ id, organisationId: 'org-wl', contractId: 'c-amy', startsAt: london(`${d}T15:45`), durationMinutes: 60, status: 'scheduled' });
  return id;
}

/** stour §4: a past session of Amy's level-3 contract with Eve, who is in no chat, so Amy keeps it. */
let keptPast = 0;
async function pastKeptSession(): Promise<string> {
  // its own run of past days (its own contract), so the other fixtures' days stay as they were
  const d = new Date(Date.UTC(2025, 10, 7) - ++keptPast * 86_400_000).toISOString().slice(0, 10);
  const id = `c-amy-ext.${d}`;
  await w.deps.sessions.insert({ id, organisationId: 'org-wl', contractId: 'c-amy-ext', startsAt: london(`${d}T10:00`), durationMinutes: 60, status: 'scheduled' });
  return id;
}

/** Its record, kept by the external supervisor: the actions Amy recorded, signed by her. */
async function keptRecord(): Promise<string> {
  const sessionId = await pastKeptSession();
  must(await recordKeptSession(w.deps, 'amy', { sessionId, actions: [{ text: 'Matrix kept action', ownerId: 'amy', dueDate: '2025-12-01' }] }));
  return `rec.${sessionId}`;
}

/** A handover of Amy's supervision from Sam (who writes it) to Sue, waiting to be written. */
async function pendingHandover(): Promise<string> {
  const id = `ho.matrix.${++n}`;
  await w.deps.handovers.insert({ id, organisationId: 'org-wl', contractId: 'c-amy', fromId: 'sup', toId: 'sup2', superviseeIds: ['amy'], createdAt: w.clock.now(), state: 'pending' });
  return id;
}

function must(result: UseCaseResult): UseCaseResult {
  if (!result.ok) throw new Error(`fixture failed: ${JSON.stringify(result.error)}`);
  return result;
}

async function draft(submit: boolean): Promise<string> {
  const sessionId = await pastSession();
  const result = must(
    await draftRecord(w.deps, 'sup', {
      sessionId,
      topics: ['performance'],
      notes: 'Matrix notes',
      concerns: [{ text: 'Matrix concern in the record', riskOfHarm: false }],
      // due a fortnight after its session: the cells go back a day each, further than a fixed date would allow
      actions: [{ text: 'Matrix action', ownerId: 'amy', dueDate: new Date(Date.parse(sessionId.slice('c-amy.'.length)) + 14 * 86_400_000).toISOString().slice(0, 10) }],
      submit,
    }),
  );
  return ((result as { view: RecordSheetView }).view).recordId;
}
const awaiting = () => draft(true);
async function disputed(): Promise<string> {
  const recordId = await awaiting();
  must(await disputeRecord(w.deps, 'amy', { recordId, reason: 'Matrix dispute' }));
  return recordId;
}
async function referred(): Promise<string> {
  const recordId = await disputed();
  must(await runCommand(w.deps, { commandId: `matrix.refer.${++n}`, type: 'referDispute', actorId: 'sup', input: { recordId } }));
  return recordId;
}
async function signed(): Promise<string> {
  const recordId = await awaiting();
  must(await confirmRecord(w.deps, 'amy', { recordId }));
  must(await confirmRecord(w.deps, 'sup', { recordId }));
  return recordId;
}

async function openAction(): Promise<string> {
  const id = `act.matrix.${++n}`;
  await w.deps.actions.upsertMany([{ id, organisationId: 'org-wl', contractId: 'c-amy', recordId: 'rec.matrix', text: 'Matrix open action', ownerId: 'amy', dueDate: '2025-12-01', status: 'open', agreedAt: w.clock.now() }]);
  return id;
}

/** A copy of Amy's (or `base`) contract sent to be agreed, nobody signed yet: `{ contractId, terms }`. */
async function waitingContract(base = 'c-amy'): Promise<{ contractId: string; terms: string }> {
  // starting in the spring term: a session it books comes after the parties' own
  const contract = { ...(await w.deps.contracts.get(base))!, id: `c-agree-${++n}`, startDate: '2026-01-05', reviewDueDate: '2027-01-05' };
  const terms = agreementTermsOf(contract);
  await w.deps.contracts.upsert({ ...contract, agreement: { terms, requestedAt: w.clock.now() }, signatures: [], awaitingSignatures: true });
  return { contractId: contract.id, terms };
}

interface Cell {
  name: string;
  allowed: Role[];
  /** A fresh subject for the role about to act (most cells give every role the same kind of subject). */
  input(role: Role): Promise<Record<string, unknown>>;
  run: CommandType | ((actorId: string, input: Record<string, unknown>) => Promise<UseCaseResult>);
}

const ACTIONS: Cell[] = [
  { name: 'submitAgendaItem', run: 'submitAgendaItem', allowed: PARTIES, input: async () => ({ contractId: 'c-amy', text: 'Matrix item' }) },
  { name: 'submitAgendaItem (to a named session)', run: 'submitAgendaItem', allowed: PARTIES, input: async () => ({ sessionId: await futureSession(), text: 'Matrix session item', category: 'other' }) },
  { name: 'parkItemForNextSession', run: 'parkItemForNextSession', allowed: PARTIES, input: async () => ({ contractId: 'c-amy', text: 'Matrix parked item' }) },
  {
    name: 'scheduleSession',
    run: 'scheduleSession',
    allowed: ['supervisor', ...LEADS],
    input: async () => ({ contractId: 'c-amy', startsAt: london(`${futureDay()}T15:45`).toISOString() }),
  },
  {
    name: 'rescheduleSession',
    run: 'rescheduleSession',
    allowed: [...PARTIES, ...LEADS],
    input: async () => ({ sessionId: await futureSession(), newStartsAt: london(`${futureDay()}T15:45`).toISOString(), reason: 'Matrix move' }),
  },
  {
    name: 'rescheduleSession (cancel and rebook, the new time in the same step)',
    run: 'rescheduleSession',
    allowed: [...PARTIES, ...LEADS],
    input: async () => ({ sessionId: await futureSession(), newStartsAt: london(`${futureDay()}T10:00`).toISOString(), reason: 'Matrix rebook', cancel: true }),
  },
  // the Move / Cancel and rebook form (Teams, the playground, Slack's `move`): the same people as the move itself
  { name: 'moveForm', run: (a, i) => moveForm(w.deps, a, i), allowed: [...PARTIES, ...LEADS], input: async () => ({ sessionId: await futureSession(), cancel: true }) },
  // after a session's time: "did it happen?" is the supervisor's (or a lead's) to answer, with the new time at once
  { name: 'sessionCheck', run: (a, i) => sessionCheck(w.deps, a, i), allowed: ['supervisor', ...LEADS], input: async () => ({ sessionId: await pastSession() }) },
  {
    name: 'recordSessionNotHeld',
    run: 'recordSessionNotHeld',
    allowed: ['supervisor', ...LEADS],
    input: async () => ({ sessionId: await pastSession(), reason: 'other', note: 'Matrix not held', newStartsAt: london(`${futureDay()}T15:45`).toISOString() }),
  },
  // stour §4: a session with a supervisor from outside who is in no chat is kept by its supervisee: only Amy records
  // that it happened; that it did not is hers, the supervisor's or a lead's to say, as for any session
  { name: 'recordKeptSession', run: 'recordKeptSession', allowed: ['supervisee'], input: async () => ({ sessionId: await pastKeptSession(), actions: [{ text: 'Matrix kept action', ownerId: 'amy', dueDate: '2025-12-01' }] }) },
  { name: 'keptForm (“It happened”)', run: (a, i) => keptForm(w.deps, a, i), allowed: ['supervisee'], input: async () => ({ sessionId: await pastKeptSession() }) },
  { name: 'sessionCheck (kept by the supervisee)', run: (a, i) => sessionCheck(w.deps, a, i), allowed: ['supervisee', ...LEADS], input: async () => ({ sessionId: await pastKeptSession() }) },
  {
    name: 'recordSessionNotHeld (kept by the supervisee)',
    run: 'recordSessionNotHeld',
    allowed: ['supervisee', ...LEADS],
    input: async () => ({ sessionId: await pastKeptSession(), reason: 'supervisor-absent', newStartsAt: london(`${futureDay()}T10:00`).toISOString() }),
  },
  // stour App. C: a supervisee asks for a session; the supervisor (or a lead) books it
  { name: 'requestSession', run: 'requestSession', allowed: ['supervisee'], input: async () => ({ contractId: 'c-amy', reason: 'Matrix request' }) },
  {
    name: 'bookRequestedSession',
    run: 'bookRequestedSession',
    allowed: ['supervisor', ...LEADS],
    input: async () => {
      const id = `req.matrix.${++n}`;
      await w.deps.sessionRequests.insert({ id, organisationId: 'org-wl', contractId: 'c-amy', requestedById: 'amy', requestedAt: w.clock.now(), bookBy: '2025-11-21', status: 'open' });
      return { requestId: id, startsAt: london(`${futureDay()}T11:00`).toISOString() };
    },
  },
  // after a major incident (loughton §5): the DSL, a deputy or the headteacher declares it and sees the uptake —
  // never an admin, who never sees the incident's name; each person answers only their own offer
  { name: 'declareIncident', run: 'declareIncident', allowed: LEADS, input: async () => ({ incidentName: 'Matrix incident', scope: 'people', personIds: ['amy', 'ben'] }) },
  {
    name: 'answerIncidentOffer (Not now)',
    run: 'answerIncidentOffer',
    allowed: ['supervisee'],
    input: async () => {
      const id = `inc.matrix.${++n}`;
      await w.deps.incidents.insert(
        { id, organisationId: 'org-wl', incidentName: 'Matrix incident name', declaredById: 'dsl', declaredAt: w.clock.now(), scope: 'people', personIds: ['amy'] },
        [{ id: `${id}.amy`, incidentId: id, organisationId: 'org-wl', personId: 'amy', status: 'offered', offeredAt: w.clock.now() }],
      );
      return { offerId: `${id}.amy`, answer: 'not-now' };
    },
  },
  // the other organisation's DSL sees their own organisation's incidents, and nothing of ours (checked above)
  { name: 'incidentUptake (chat incident status, the dashboard Incidents page)', run: (a, i) => incidentUptake(w.deps, a, i), allowed: [...LEADS, 'otherOrganisation'], input: async () => ({}) },
  // a change of supervisor (white-laith): the outgoing supervisor writes the handover; the incoming one and the
  // safeguarding leads read it; never the admin, the supervisee or anyone else
  { name: 'submitHandover', run: 'submitHandover', allowed: ['supervisor'], input: async () => ({ handoverId: await pendingHandover(), themes: 'Matrix handover themes', note: 'Matrix handover note' }) },
  { name: 'openHandover', run: (a, i) => openHandover(w.deps, a, i), allowed: ['supervisor', 'otherSupervisor', ...LEADS], input: async () => ({ handoverId: await pendingHandover() }) },
  { name: 'markSessionHeld', run: 'markSessionHeld', allowed: PARTIES, input: async () => ({ sessionId: await pastSession() }) },
  { name: 'draftRecord', run: 'draftRecord', allowed: ['supervisor'], input: async () => ({ sessionId: await pastSession(), topics: ['organisational'], notes: 'Matrix draft' }) },
  // the record form with last session's actions reviewed as it is sent: done and dropped close them
  {
    name: 'draftRecord (sent, last session’s actions done and dropped)',
    run: 'draftRecord',
    allowed: ['supervisor'],
    input: async () => ({
      sessionId: await pastSession(),
      notes: 'Matrix reviewed',
      previousActionsReviewed: [
        { actionId: await openAction(), outcome: 'done' },
        { actionId: await openAction(), outcome: 'dropped', note: 'Matrix dropped' },
      ],
      submit: true,
    }),
  },
  // the form a session's record is written on (the `record` command, and "Add another" on Teams and the playground)
  { name: 'recordToWrite (the form, as "Add another" reads it)', run: (a, i) => recordToWrite(w.deps, a, i), allowed: ['supervisor'], input: async () => ({ sessionId: await pastSession() }) },
  { name: 'submitRecordForConfirmation', run: 'submitRecordForConfirmation', allowed: ['supervisor'], input: async () => ({ recordId: await draft(false) }) },
  { name: 'confirmRecord', run: 'confirmRecord', allowed: PARTIES, input: async () => ({ recordId: await awaiting() }) },
  { name: 'disputeRecord', run: 'disputeRecord', allowed: PARTIES, input: async () => ({ recordId: await awaiting(), reason: 'Matrix reason' }) },
  // the dashboard's record page (issue 15, content kept out of chat): the same commands, as its routes build them
  { name: 'confirmRecord (tab record page Confirm, the version shown)', run: 'confirmRecord', allowed: PARTIES, input: async () => ({ recordId: await awaiting(), version: 1 }) },
  { name: 'disputeRecord (tab record page Ask for a change)', run: 'disputeRecord', allowed: PARTIES, input: async () => ({ recordId: await awaiting(), reason: 'Matrix change asked in the dashboard' }) },
  {
    name: 'draftRecord (tab record page Edit, the rest of the stored version carried over)',
    run: 'draftRecord',
    allowed: ['supervisor'],
    input: async () => {
      const record = await w.deps.records.latest(await draft(false));
      const body = { version: 1, notes: 'Matrix notes edited in the dashboard', concerns: [{ text: 'Matrix concern edited', riskOfHarm: false }], actions: [], caseDecisions: [], nextSession: null, submit: true };
      return draftInputFromEdit(record!, body, cal);
    },
  },
  { name: 'referDispute', run: 'referDispute', allowed: PARTIES, input: async () => ({ recordId: await disputed() }) },
  {
    name: 'arrangeDisputeMeeting',
    run: 'arrangeDisputeMeeting',
    allowed: HEARERS,
    input: async () => ({ recordId: await referred(), at: new Date(w.clock.now().getTime() + 7 * 86_400_000).toISOString() }),
  },
  { name: 'resolveDispute (amend)', run: 'resolveDispute', allowed: HEARERS, input: async () => ({ recordId: await referred(), resolution: 'Matrix resolution' }) },
  { name: 'resolveDispute (keep)', run: 'resolveDispute', allowed: HEARERS, input: async () => ({ recordId: await referred(), resolution: 'Matrix resolution', outcome: 'keep' }) },
  { name: 'correctSignedRecord', run: 'correctSignedRecord', allowed: ['supervisor', 'dsl', 'deputy'], input: async () => ({ recordId: await signed(), reason: 'Matrix correction' }) },
  {
    name: 'completeAction (done)',
    run: 'completeAction',
    allowed: [...PARTIES, ...LEADS], // the owner (Amy), the contract's supervisor, the safeguarding leads
    input: async () => ({ actionId: await openAction() }),
  },
  {
    name: 'completeAction (not needed, with a reason)',
    run: 'completeAction',
    allowed: ['supervisor', ...LEADS], // never the owner alone
    input: async () => ({ actionId: await openAction(), notNeededReason: 'Matrix not needed' }),
  },
  {
    name: 'markCaseDecisionCopied',
    run: 'markCaseDecisionCopied',
    allowed: [...PARTIES, ...LEADS], // who follows up (Amy), the supervisor, the safeguarding leads
    input: async () => {
      const recordId = `rec.matrix.${++n}`;
      const decidedAt = w.clock.now();
      await w.deps.caseDecisions.upsertMany([{ id: 'd1', organisationId: 'org-wl', recordId, contractId: 'c-amy', childRef: 'JB', decision: 'Matrix decision', rationale: 'Matrix rationale', followUpById: 'amy', decidedAt, copyDueAt: new Date(decidedAt.getTime() + 86_400_000) }]);
      return { recordId, decisionId: 'd1' };
    },
  },
  {
    name: 'escalateRiskOfHarm (an agenda item)',
    run: 'escalateRiskOfHarm',
    allowed: [...PARTIES, 'dsl', 'deputy'], // not the head, who may not read the item
    input: async () => {
      const id = `item.matrix.${++n}`;
      await w.deps.agenda.add({ id, organisationId: 'org-wl', contractId: 'c-amy', authorId: 'amy', text: 'Matrix concern', category: 'case-discussion', riskOfHarm: false, parked: true, createdAt: w.clock.now() });
      return { agendaItemId: id };
    },
  },
  {
    name: 'escalateRiskOfHarm (a signed record’s concern)',
    run: 'escalateRiskOfHarm',
    allowed: [...PARTIES, 'dsl', 'deputy'],
    input: async () => ({ recordId: await signed(), concernId: 'c1' }),
  },
  {
    name: 'acknowledgeEscalation',
    run: 'acknowledgeEscalation',
    allowed: LEADS, // the DSL and deputy were told; the head is a safeguarding lead too
    input: async () => {
      const id = `esc.matrix.${++n}`;
      await w.deps.escalations.insert({ id, organisationId: 'org-wl', raisedById: 'amy', subjectPersonId: 'amy', source: { kind: 'agenda-item', id: `item.x.${n}` }, raisedAt: w.clock.now(), notifiedIds: ['dsl', 'deputy'] });
      return { escalationId: id };
    },
  },
  { name: 'scheduleReminders', run: 'scheduleReminders', allowed: ['supervisor', ...LEADS], input: async () => ({ contractId: 'c-amy' }) },
  // a person's own calendar feed: anyone known may have one, and it holds only their own sessions (checked below)
  { name: 'issueCalendarFeed', run: 'issueCalendarFeed', allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({}) },
  { name: 'revokeCalendarFeed', run: 'revokeCalendarFeed', allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({}) },
  // the other organisation's DSL gets their own organisation's summary, and nothing of ours (checked below)
  { name: 'computeOverdue', run: (a, i) => computeOverdue(w.deps, a, i), allowed: [...LEADS, 'otherOrganisation'], input: async () => ({}) },
  { name: 'viewRecord (awaiting confirmation)', run: (a, i) => viewRecord(w.deps, a, i), allowed: [...PARTIES, 'dsl', 'deputy'], input: async () => ({ recordId: await awaiting() }) },
  { name: 'viewRecord (signed)', run: (a, i) => viewRecord(w.deps, a, i), allowed: [...PARTIES, 'dsl', 'deputy', 'auditor'], input: async () => ({ recordId: await signed() }) },
  { name: 'viewRecord (kept by the external supervisor)', run: (a, i) => viewRecord(w.deps, a, i), allowed: ['supervisee', 'dsl', 'deputy', 'auditor'], input: async () => ({ recordId: await keptRecord() }) },
  { name: 'viewRecord (disputed, not referred)', run: (a, i) => viewRecord(w.deps, a, i), allowed: [...PARTIES, 'dsl', 'deputy'], input: async () => ({ recordId: await disputed() }) },
  { name: 'viewRecord (disputed, referred to the governor)', run: (a, i) => viewRecord(w.deps, a, i), allowed: [...PARTIES, 'dsl', 'deputy', 'governor'], input: async () => ({ recordId: await referred() }) },
  // the DSL dashboard (the Teams tab and its CSV exports read these): the overview for the leads only; the staff
  // list for the leads and an auditor; a person's history for themselves, the leads and an auditor
  { name: 'dashboardSummary (tab, figures CSV)', run: (a, i) => dashboardSummary(w.deps, a, i), allowed: [...LEADS, 'otherOrganisation'], input: async () => ({}) },
  { name: 'staffDirectory (tab)', run: (a, i) => staffDirectory(w.deps, a, i), allowed: [...LEADS, 'auditor', 'otherOrganisation'], input: async () => ({}) },
  { name: 'personHistory of the supervisee (tab)', run: (a, i) => personHistory(w.deps, a, i), allowed: ['supervisee', ...LEADS, 'auditor'], input: async () => ({ personId: 'amy' }) },
  // evidence (issue 15): the trail's check and exports for the DSL, deputies and an auditor only — not the head, an
  // administrator, a party or the governor; another organisation's DSL checks and bundles only their own
  { name: 'verifyAudit (tab Verify, admin audit verify)', run: (a, i) => verifyAudit(w.deps, a, i), allowed: ['dsl', 'deputy', 'auditor', 'otherOrganisation'], input: async () => ({}) },
  { name: 'exportPersonFile of the supervisee (tab PDF/JSON, admin export person)', run: (a, i) => exportPersonFile(w.deps, a, i), allowed: ['dsl', 'deputy', 'auditor'], input: async () => ({ personId: 'amy', format: 'pdf' }) },
  { name: 'checkBundleRequest (tab inspection bundle, admin export bundle)', run: (a, i) => checkBundleRequest(w.deps, a, i), allowed: ['dsl', 'deputy', 'auditor', 'otherOrganisation'], input: async () => ({ from: '2025-09-01' }) },
  // retention and subject access (issue 15): the DSL and deputies only — not the head, an administrator, the governor,
  // an auditor or a party; another organisation's DSL manages only their own school's
  { name: 'retentionOverview (tab Retention)', run: (a, i) => retentionOverview(w.deps, a, i), allowed: ['dsl', 'deputy', 'otherOrganisation'], input: async () => ({}) },
  { name: 'setRetentionSchedule (tab Retention)', run: (a, i) => setRetentionSchedule(w.deps, a, i), allowed: ['dsl', 'deputy', 'otherOrganisation'], input: async () => ({ supervisionYears: 6, riskOrDecisionYears: 25 }) },
  { name: 'placeLegalHold on the supervisee (tab Retention)', run: (a, i) => placeLegalHold(w.deps, a, i), allowed: ['dsl', 'deputy'], input: async () => ({ target: { kind: 'person', id: 'amy' }, reason: 'Matrix hold reason' }) },
  { name: 'releaseLegalHold (tab Retention)', run: (a, i) => releaseLegalHold(w.deps, a, i), allowed: ['dsl', 'deputy'], input: async () => ({ holdId: await heldRecord() }) },
  { name: 'approveDestruction of a record due (tab Retention)', run: (a, i) => approveDestruction(w.deps, a, i), allowed: ['dsl', 'deputy'], input: async () => ({ recordIds: [await dueRecord()] }) },
  { name: 'startSubjectAccess for the supervisee (tab)', run: (a, i) => startSubjectAccess(w.deps, a, i), allowed: ['dsl', 'deputy'], input: async () => ({ personId: 'amy' }) },
  { name: 'subjectAccessReview (tab)', run: (a, i) => subjectAccessReview(w.deps, a, i), allowed: ['dsl', 'deputy'], input: async () => ({ id: await subjectAccess(false) }) },
  {
    name: 'decideSubjectAccess (tab)',
    run: (a, i) => decideSubjectAccess(w.deps, a, i),
    allowed: ['dsl', 'deputy'],
    input: async () => {
      const started = must(await startSubjectAccess(w.deps, 'dsl', { personId: 'amy' })) as { data: { id: string; passages: Array<{ id: string }> } };
      return { id: started.data.id, decisions: Object.fromEntries(started.data.passages.map((p) => [p.id, 'redact'])) };
    },
  },
  { name: 'releaseSubjectAccess (tab PDF/JSON)', run: (a, i) => releaseSubjectAccess(w.deps, a, i), allowed: ['dsl', 'deputy'], input: async () => ({ id: await subjectAccess(true), format: 'json' }) },
  // the governors' figures and report (template senior manager (d)): counts only, for the safeguarding governor,
  // the leads and an auditor — not a party or an administrator; the governor still sees none of the views above
  { name: "governorsFigures (tab governors' view)", run: (a, i) => governorsFigures(w.deps, a, i), allowed: ['governor', ...LEADS, 'auditor', 'otherOrganisation'], input: async () => ({}) },
  { name: "governorsReport (tab governors' report PDF, admin export governors)", run: (a, i) => governorsReport(w.deps, a, i), allowed: ['governor', ...LEADS, 'auditor', 'otherOrganisation'], input: async () => ({}) },
  // My supervision (the tab's personal page): one's own for anyone known; a supervisee's for their supervisor only,
  // not the leads (they have the person history) nor another supervisor
  { name: 'mySupervision (own page, tab)', run: (a, i) => mySupervision(w.deps, a, i), allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({}) },
  { name: 'mySupervision of the supervisee (tab)', run: (a, i) => mySupervision(w.deps, a, i), allowed: PARTIES, input: async () => ({ personId: 'amy' }) },
  // a person's own next session and actions: anyone known, and what comes back is their own
  { name: 'nextSession', run: (a, i) => nextSession(w.deps, a, i), allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({}) },
  { name: 'myActions', run: (a, i) => myActions(w.deps, a, i), allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({}) },
  // what a plain line in chat means (an answer to a prompt, or a question back): about the person's own sessions only
  // administration (issue 13): the admin, the DSL and the head; the other organisation's DSL only their own
  { name: 'setupChecklist (admin API)', run: (a, i) => setupChecklist(w.deps, a, i), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({}) },
  { name: 'getTermDates (admin API)', run: (a, i) => getTermDates(w.deps, a, i), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({ year: 2025 }) },
  {
    name: 'setTermDates (admin API)',
    run: (a, i) => setTermDates(w.deps, a, i),
    allowed: [...ADMINISTRATORS, 'otherOrganisation'],
    input: async () => ({ year: 2030 + ++termYears, halfTerms: yearOfHalfTerms(2030 + termYears), insetDays: [] }),
  },
  { name: 'getOrganisation (admin API)', run: (a, i) => getOrganisation(w.deps, a, i), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({}) },
  { name: 'updateOrganisation (admin API)', run: (a, i) => updateOrganisation(w.deps, a, i), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({ timezone: 'Europe/London' }) },
  // "keep supervision content out of chat" (issue 15): the admin or the DSL, not the headteacher; each cell asks for a change
  {
    name: 'updateOrganisation keepContentOutOfChat (admin API, Organisation page)',
    run: (a, i) => updateOrganisation(w.deps, a, i),
    allowed: ['admin', 'dsl', 'otherOrganisation'],
    input: async () => ({ keepContentOutOfChat: (await w.deps.organisations.get('org-wl'))?.keepContentOutOfChat !== true }),
  },
  // `dashboard` in Slack: a sign-in link for oneself, which anyone known may have
  { name: 'issueSignInLink (Slack dashboard)', run: (a, i) => issueSignInLink(w.deps, a, i), allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({}) },
  // imports and contracts (issue 13): previews for the administrators' own organisation, a contract ended only in theirs
  { name: 'previewImport (admin API)', run: (a) => asResult(previewImport(w.deps, writer, a, 'staff', [{ name: 'staff.csv', bytes: new Uint8Array(Buffer.from('name,email,roles\nNew Person,new.person@school.example,supervisee\n')) }])), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({}) },
  {
    name: 'endContract (admin API)',
    run: (a, i) => asResult(endContract(w.deps, a, String(i.contractId))),
    allowed: ADMINISTRATORS,
    input: async () => {
      const id = `c-end-${++n}`;
      await w.deps.contracts.upsert({ ...(await w.deps.contracts.get('c-amy'))!, id });
      return { contractId: id };
    },
  },
  // the contracts and people screens (issue 13): the list for the administrators of each organisation; a contract
  // created by them with their own people, edited only in their own organisation
  { name: 'listContracts (admin API, contracts screen)', run: (a, i) => listContracts(w.deps, a, i), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({ status: 'all' }) },
  { name: 'listPeople (admin API, people screen)', run: (a, i) => listPeople(w.deps, a, i), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({ filter: 'no-contract' }) },
  {
    name: 'createOrEditContract, a new contract (admin API)',
    run: (a, i) => createOrEditContract(w.deps, a, i),
    allowed: [...ADMINISTRATORS, 'otherOrganisation'],
    input: async (role) => ({ contract: contractTerms(role === 'otherOrganisation' ? 'x-dsl' : 'cover', role === 'otherOrganisation' ? 'x-amy' : 'trainee', `ref-${++n}`) }),
  },
  {
    name: 'createOrEditContract, new terms and supervisor (admin API)',
    run: (a, i) => createOrEditContract(w.deps, a, i),
    allowed: ADMINISTRATORS,
    input: async () => {
      const id = `c-edit-${++n}`;
      await w.deps.contracts.upsert({ ...(await w.deps.contracts.get('c-amy'))!, id });
      return { contractId: id, contract: contractTerms('cover', 'trainee') };
    },
  },
  // the Teams app installed through Graph (issue 13): asked for by the administrators, for their own organisation
  { name: 'requestTeamsInstalls (admin API identities/teams/install)', run: (a) => asResult(requestTeamsInstalls(w.deps, a, installs)), allowed: [...ADMINISTRATORS, 'otherOrganisation'], input: async () => ({}) },
  // template line manager (f): a supervisor's training date is set by the administrators (never by the supervisor)
  { name: 'setSupervisionTraining (admin API people/:id/training)', run: (a, i) => setSupervisionTraining(w.deps, a, i), allowed: ADMINISTRATORS, input: async () => ({ personId: 'sup', date: `2024-0${1 + (++n % 9)}-15`, renewalMonths: 24 }) },
  // the agenda form's picker: everyone known reads their own list (see below: nothing of a contract not theirs)
  { name: 'agendaForm (the picker of whose session an item goes to)', run: (a, i) => agendaForm(w.deps, a, i), allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({}) },
  // a choice in the picker: Amy's contract is Amy's and Sam's; a forged choice by anyone else is refused
  { name: 'submitAgendaItem (a contract chosen in the picker)', run: 'submitAgendaItem', allowed: PARTIES, input: async () => ({ contractId: 'c-amy', text: 'Matrix picked item', category: 'performance' }) },
  // the supervision agreement (white-laith B): only the contract's parties sign; a question goes to its supervisor
  // from a supervisee; only the DSL or a deputy starts a contract before everyone has agreed
  { name: 'agreeToContract', run: 'agreeToContract', allowed: PARTIES, input: () => waitingContract() },
  { name: 'askAboutAgreement', run: 'askAboutAgreement', allowed: ['supervisee'], input: async () => ({ contractId: (await waitingContract()).contractId, question: 'Matrix question about the agreement' }) },
  // (a copy of Ben's: a contract started books its session, and Amy's own must stay the one she reads); the
  // dashboard's Start now… and `start <name>: <reason>` typed in chat both reach it
  { name: 'startContractEarly (dashboard, chat start)', run: 'startContractEarly', allowed: ['dsl', 'deputy'], input: async () => ({ contractId: (await waitingContract('c-ben')).contractId, reason: 'Matrix start before signatures' }) },
  { name: 'typedStart (start <name>: <reason> typed in chat)', run: typedStartCell, allowed: ['dsl', 'deputy'], input: async () => ({ contractId: (await waitingContract('c-ben')).contractId }) },
  // the annual review: only the contract's supervisor keeps or changes it
  { name: 'reviewContract', run: 'reviewContract', allowed: ['supervisor'], input: async () => ({ contractId: (await waitingContract('c-ben')).contractId, keep: true }) },
  { name: 'agendaLine (a plain line in chat)', run: (a, i) => agendaLine(w.deps, a, i).then((data): UseCaseResult => ({ ok: true, data }), toFailure), allowed: (Object.keys(ROLES) as Role[]).filter((r) => r !== 'unknown'), input: async () => ({ text: 'Workload in the spring term' }) },
];

/**
 * A record of a contract that ended in July 2018: six years on, due for destruction at the matrix's time (its
 * people are not the ones the hold cells hold).
 */
async function dueRecord(): Promise<string> {
  const k = ++n;
  const contractId = `c-old-${k}`;
  await w.deps.contracts.upsert({ ...(await w.deps.contracts.get('c-amy'))!, id: contractId, supervisorIds: ['sup2'], superviseeIds: ['stranger'], active: false, endedOn: '2018-07-20' });
  const at = london('2018-07-02T17:00');
  const id = `rec.${contractId}.2018-07-02`;
  await w.deps.records.insertVersion({
    id, version: 1, organisationId: 'org-wl', contractId, sessionId: `${contractId}.2018-07-02`, date: '2018-07-02', supervisorId: 'sup2', superviseeIds: ['stranger'],
    topics: [], notes: 'Matrix old notes', concerns: [], caseDecisions: [], actions: [], previousActionsReviewed: [], state: 'signed', confirmations: [], createdAt: at, updatedAt: at,
  });
  return id;
}
/** A hold in force on a record of the school. */
async function heldRecord(): Promise<string> {
  const id = `hold-matrix-${String(++n).padStart(12, '0')}`;
  const holdId = `00000000-0000-4000-8000-${id.slice(-12)}`;
  await w.deps.retention.placeHold({ id: holdId, organisationId: 'org-wl', target: { kind: 'person', id: 'ben' }, reason: 'Matrix hold reason', placedById: 'dsl', placedAt: w.clock.now() });
  return holdId;
}
/** A subject access request for the supervisee started by the DSL; `decided`: every flagged passage kept. */
async function subjectAccess(decided: boolean): Promise<string> {
  const started = must(await startSubjectAccess(w.deps, 'dsl', { personId: 'amy' })) as { data: { id: string; passages: Array<{ id: string }> } };
  if (decided) must(await decideSubjectAccess(w.deps, 'dsl', { id: started.data.id, decisions: Object.fromEntries(started.data.passages.map((p) => [p.id, 'keep'])) }));
  return started.data.id;
}
/** A contract's terms as the contracts screen sends them: video, so its sessions take no room. */
function contractTerms(supervisorId: string, superviseeId: string, reference?: string) {
  return { ...(reference ? { reference } : {}), kind: 'one-to-one', supervisorId, superviseeIds: [superviseeId], cadence: 'every 6 weeks', durationMinutes: 45, location: 'Online', format: 'video', level: 1, disputeRoute: 'line-manager', startDate: '2025-11-17' };
}

let termYears = 0;
let writer: ImportWriter;
/** The `teams-install` queue on the test Redis, with no worker: the matrix checks who may add to it. */
let installs: TeamsInstalls;
let installsRedis: Redis;
/** An import or contract use case's answer, or its refusal, as a result. */
/** `start <reference>: <reason>` typed by a person, as every channel reads it and then runs the command. */
async function typedStartCell(actorId: string, input: Record<string, unknown>): Promise<UseCaseResult> {
  const actor = await w.deps.people.get(actorId);
  // someone the bot does not know never reaches the command (each channel answers them first)
  if (!actor) return { ok: false, error: { type: 'refusal', text: 'not known here' } };
  const typed = await typedStart(w.deps, actor, `start ${String(input.contractId)}: Matrix start before signatures`);
  if (!typed) return { ok: false, error: { type: 'refusal', text: 'not the command' } };
  if ('view' in typed) return { ok: false, error: typed.view as Extract<UseCaseResult, { ok: false }>['error'] };
  return runCommand(w.deps, { commandId: `matrix.typedStart.${actorId}.${++n}`, type: 'startContractEarly', actorId, input: typed.input });
}
function asResult(p: Promise<unknown>): Promise<UseCaseResult> {
  return p.then(
    (data): UseCaseResult => ({ ok: true, data }),
    (error: unknown): UseCaseResult => (error instanceof ImportRefused ? { ok: false, error: { type: 'refusal', text: error.message } } : toFailure(error)),
  );
}
/** A school year's six half terms, well formed. */
function yearOfHalfTerms(year: number) {
  const next = year + 1;
  return [
    { name: 'Autumn 1', start: `${year}-09-03`, end: `${year}-10-23` },
    { name: 'Autumn 2', start: `${year}-11-02`, end: `${year}-12-18` },
    { name: 'Spring 1', start: `${next}-01-05`, end: `${next}-02-12` },
    { name: 'Spring 2', start: `${next}-02-22`, end: `${next}-03-26` },
    { name: 'Summer 1', start: `${next}-04-12`, end: `${next}-05-28` },
    { name: 'Summer 2', start: `${next}-06-07`, end: `${next}-07-21` },
  ];
}

/** Everything in the database, digested: a denied call must leave it exactly as it was. */
async function digest(): Promise<string> {
  const hash = createHash('sha256');
  const db = w.store.connection.db!;
  for (const [name, model] of Object.entries(w.store.models).sort(([a], [b]) => a.localeCompare(b))) {
    // the stored bytes as they are (raw BSON, still encrypted): no decoding, decrypting or hydrating per document
    hash.update(`${name}:`);
    const cursor = db.collection((model as typeof w.store.models.records).collection.collectionName).find({}, { raw: true, sort: { _id: 1 } });
    for await (const doc of cursor) hash.update(doc as unknown as Buffer);
    hash.update('\n');
  }
  return hash.digest('hex');
}

beforeAll(async () => {
  w = await createWorld('authz');
  // a second organisation with its own DSL, supervisor, supervisee and contract
  const other = school({ id: 'org-other', name: 'Other Academy', dslIds: ['x-dsl'], deputyDslIds: [], headteacherId: 'x-dsl', safeguardingGovernorId: undefined });
  await w.deps.organisations.upsert(other);
  await w.deps.people.upsert(person('admin', ['admin'], { name: 'Bea Business' }));
  // the contracts the administrators make in the matrix: a supervisor and a supervisee who hold no role above
  await w.deps.people.upsert(person('cover', ['supervisor'], { name: 'Cora Cover' }));
  await w.deps.people.upsert(person('trainee', ['supervisee'], { name: 'Tia Trainee' }));
  // stour §4: Amy's second contract, level 3 with Eve, who is in no chat (Amy keeps its sessions); nothing booked
  await w.deps.people.upsert(person('eve', ['supervisor'], { name: 'Eve External' }));
  await w.deps.contracts.upsert(contract({ id: 'c-amy-ext', supervisorIds: ['eve'], superviseeIds: ['amy'], level: 3, external: true, preferredTime: '10:00' }));
  writer = await importWriter(w.store.connection, w.store.models);
  installsRedis = new Redis(testRedisUrl());
  const prefix = testQueuePrefix();
  const logger = createLogger('silent');
  const graph = new GraphCalendar({ tenantId: 'matrix', clientId: 'matrix', clientSecret: 'matrix', baseUrl: 'http://127.0.0.1:9/v1.0', tokenUrl: 'http://127.0.0.1:9/token', logger });
  installs = startTeamsInstalls({ redisUrl: testRedisUrl(), prefix, deps: w.deps, graph, catalogAppId: 'dddddddd-1111-4222-8333-444444444444', pacing: new RateLimiter(installsRedis, prefix), logger, workers: false });
  for (const p of [person('x-dsl', ['dsl', 'supervisor', 'auditor'], { organisationId: 'org-other' }), person('x-amy', ['supervisee'], { organisationId: 'org-other' })]) await w.deps.people.upsert(p);
  await w.deps.contracts.upsert({ ...(await w.deps.contracts.get('c-amy'))!, id: 'c-x', organisationId: 'org-other', supervisorIds: ['x-dsl'], superviseeIds: ['x-amy'] });
  // the digest sees a write (to a document that exists, not only a new one)
  const before = await digest();
  await w.deps.people.upsert(person('x-amy', ['supervisee'], { organisationId: 'org-other', name: 'Xena Other' }));
  expect(await digest()).not.toBe(before);
}, 120_000);
afterAll(async () => {
  await installs?.close();
  await installsRedis?.quit();
  await w?.close();
});

describe('authorisation matrix', () => {
  const outcomes: Array<{ action: string; role: Role; allowed: boolean; ok: boolean; unchanged?: boolean; error?: string }> = [];

  for (const cell of ACTIONS) {
    it(`${cell.name}: ${cell.allowed.join(', ')} only`, async () => {
      // every role gets its own fresh subject; the denied ones go first, between two digests of the whole DB
      const roles = (Object.keys(ROLES) as Role[]).sort((a, b) => Number(cell.allowed.includes(a)) - Number(cell.allowed.includes(b)));
      const inputs = new Map<Role, Record<string, unknown>>();
      for (const role of roles) inputs.set(role, await cell.input(role));
      const before = await digest();
      const denied: typeof outcomes = [];
      for (const role of roles) {
        const allowed = cell.allowed.includes(role);
        if (allowed && denied.length > 0) {
          const unchanged = (await digest()) === before;
          for (const o of denied.splice(0)) outcomes.push({ ...o, unchanged });
          expect(unchanged, `${cell.name}: a denied call changed the database`).toBe(true);
        }
        const actorId = ROLES[role];
        const input = inputs.get(role) as Record<string, unknown>;
        const result =
          typeof cell.run === 'string'
            ? await runCommand(w.deps, { commandId: `matrix.${cell.run}.${role}.${++n}`, type: cell.run, actorId, input })
            : await cell.run(actorId, input);
        const outcome = { action: cell.name, role, allowed, ok: result.ok, error: result.ok ? undefined : JSON.stringify(result.error) };
        if (allowed) {
          outcomes.push(outcome);
          expect(result, `${cell.name} by ${role}`).toMatchObject({ ok: true });
          if (role === 'otherOrganisation') expect(JSON.stringify(result)).not.toMatch(/Matrix|Amy|Ben|Sam|c-amy|org-wl/);
        } else {
          denied.push(outcome);
          expect(result, `${cell.name} by ${role}`).toMatchObject({ ok: false });
          // refused politely, never told that the thing exists or what it holds
          expect(result.ok ? '' : result.error.type, `${cell.name} by ${role}`).toBe('refusal');
          expect(JSON.stringify(result)).not.toMatch(/Matrix|Amy Teacher|Sam Supervisor/);
        }
      }
      if (denied.length > 0) {
        const unchanged = (await digest()) === before;
        for (const o of denied.splice(0)) outcomes.push({ ...o, unchanged });
        expect(unchanged, `${cell.name}: a denied call changed the database`).toBe(true);
      }
    }, 240_000); // thirteen roles, each with its own fresh record: minutes on a busy machine
  }

  it('what a person reads about themselves shows nothing of a contract that is not theirs', async () => {
    await w.deps.agenda.add({ id: 'item.matrix.private', organisationId: 'org-wl', contractId: 'c-amy', authorId: 'amy', text: 'Matrix private item', category: 'case-discussion', riskOfHarm: false, parked: true, createdAt: w.clock.now() });
    for (const role of Object.keys(ROLES) as Role[]) {
      if (PARTIES.includes(role)) continue;
      for (const read of [nextSession, myActions, mySupervision]) {
        const result = await read(w.deps, ROLES[role], {});
        expect(JSON.stringify(result), `${read.name} for ${role}`).not.toMatch(/Matrix|c-amy/);
      }
      if (role !== 'unknown') expect(JSON.stringify(await agendaLine(w.deps, ROLES[role], { text: 'Workload in the spring term' })), `agendaLine for ${role}`).not.toMatch(/Matrix|c-amy|Amy Teacher/);
      if (role !== 'unknown') expect(JSON.stringify(await agendaForm(w.deps, ROLES[role], {})), `agendaForm for ${role}`).not.toMatch(/Matrix|c-amy|Amy Teacher/);
    }
    // the picker: Sam's supervisees, Amy's own supervision; a forged choice is refused in words
    const picker = (id: string) => agendaForm(w.deps, id, {}).then((r) => (r.ok && r.view?.type === 'agenda-form' ? r.view.options.map((o) => o.contractId).sort() : []));
    // (the matrix's own cells leave copies of Amy's contract behind: every one offered is one the person is party to)
    for (const [id, must, mustNot] of [['sup', ['c-amy', 'c-ben'], []], ['amy', ['c-amy'], ['c-ben']]] as const) {
      const offered = await picker(id);
      expect(offered, `picker of ${id}`).toEqual(expect.arrayContaining([...must]));
      for (const c of mustNot) expect(offered, `picker of ${id}`).not.toContain(c);
      for (const c of offered) expect(JSON.stringify(await w.deps.contracts.get(c)), `picker of ${id}`).toContain(`"${id}"`);
    }
    expect(await runCommand(w.deps, { commandId: `matrix.forged.${++n}`, type: 'submitAgendaItem', actorId: 'ben', input: { contractId: 'c-amy', text: 'Matrix forged' } })).toMatchObject({ ok: false, error: { type: 'refusal', text: NOT_YOURS } });
    expect(JSON.stringify(await nextSession(w.deps, 'amy', {}))).toMatch(/Matrix private item/);
    // My supervision: Amy's next agenda for Amy and for Sam, her supervisor, on his page of her
    expect(JSON.stringify(await mySupervision(w.deps, 'amy', {}))).toMatch(/Matrix private item/);
    expect(JSON.stringify(await mySupervision(w.deps, 'sup', { personId: 'amy' }))).toMatch(/Matrix private item/);
    // a calendar feed holds its own person's sessions only
    for (const role of Object.keys(ROLES) as Role[]) {
      if (role === 'unknown') continue;
      const issued = await issueCalendarFeed(w.deps, ROLES[role], {});
      const path = issued.ok && issued.view?.type === 'calendar-link' ? issued.view.path : undefined;
      const feed = await calendarFeed(w.deps, (path ?? '').slice('/calendar/'.length, -'.ics'.length));
      expect(feed, `calendar feed of ${role}`).not.toBeNull();
      if (PARTIES.includes(role)) expect(feed, `calendar feed of ${role}`).toMatch(/c-amy\./);
      else {
        // the person hearing a referred change has the three-way meeting they arranged in their calendar (issue:
        // "the meeting in their calendars"); nobody else's feed holds anything of the contract
        const events = (feed ?? '').split('BEGIN:VEVENT').slice(1);
        const meetings = events.filter((e) => /UID:meeting\./.test(e));
        if (!HEARERS.includes(role)) expect(meetings, `meetings in the calendar feed of ${role}`).toEqual([]);
        const others = events.filter((e) => !/UID:meeting\./.test(e)).join('');
        expect(others, `calendar feed of ${role}`).not.toMatch(/c-amy|Amy Teacher/);
        for (const m of meetings) expect(m, `a meeting in the feed of ${role}`).toMatch(/SUMMARY:Three-way meeting/);
      }
    }
  });

  it('covers every command and read, with 0 unauthorised successes', () => {
    const covered = new Set(ACTIONS.map((a) => a.run).filter((r): r is CommandType => typeof r === 'string'));
    expect([...covered].sort()).toEqual(Object.keys(COMMAND_HANDLERS).sort());
    expect(outcomes).toHaveLength(ACTIONS.length * Object.keys(ROLES).length);
    expect(outcomes.filter((o) => !o.allowed && o.ok)).toEqual([]);
    expect(outcomes.filter((o) => !o.allowed && !o.unchanged)).toEqual([]);
    expect(outcomes.filter((o) => o.allowed && !o.ok)).toEqual([]);
  });
});
