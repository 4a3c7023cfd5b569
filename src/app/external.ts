/**
 * Supervision from outside the school (stour §4 levels 2 and 3) with a supervisor who is not in the school's chat:
 * the contract is kept by its supervisee. After the session's time the supervisee is asked whether it happened;
 * "It happened" records the actions agreed (and, optionally, the themes) on a record marked as kept by the
 * external supervisor — no notes or concerns of its own, signed by the supervisee alone — and the session is held;
 * "It did not happen" is the usual not-held path with its new time (`recordSessionNotHeld`).
 */
import { z } from 'zod';
import { RECORD_TOPIC_LABELS } from '../domain/agenda.js';
import { isCalendarDate } from '../domain/calendar.js';
import { sessionReminderIds } from '../domain/engagement.js';
import { keptBySupervisee } from '../domain/external.js';
import { canKeepExternalSession } from '../domain/permissions.js';
import { agreedActionsFrom, newDraft } from '../domain/record.js';
import { count, RECORD_LIMITS, recordFieldLabel } from '../domain/record-form.js';
import { remindersForAction } from '../domain/reminders.js';
import { type Organisation, type Person, RECORD_TOPICS, type RecordSheet, type Session, type SupervisionContract } from '../domain/types.js';
import { calendarOf, loadActor, loadContract, namesOf } from './context.js';
import { recordDigest } from './evidence/chain.js';
import { audit, dropReminders, putReminders } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import { type AppDeps, VersionConflictError } from './ports.js';
import { formatDateTime, ref } from './present.js';
import { recordIdFor, viewRecord } from './records.js';
import { NOT_HELD_CHOICES } from './session-outcomes.js';
import { heldNow } from './sessions.js';
import type { KeptFormView, SessionCheckView } from './views.js';

/** The action rows the short form shows. */
export const KEPT_FORM_ROWS = 4;

/** Whether a contract is kept by its supervisee: supervised from outside, its supervisors not in the school's chat. */
export async function isKeptBySupervisee(deps: AppDeps, contract: SupervisionContract): Promise<boolean> {
  if (!contract.external && contract.level === 1) return false;
  return keptBySupervisee(contract, await deps.people.getMany(contract.supervisorIds));
}

/** "Your session with <external supervisor> was due at <time>. Did it happen?" — to the supervisee. */
export async function keptCheckView(deps: AppDeps, org: Organisation, contract: SupervisionContract, session: Session, again: boolean): Promise<SessionCheckView> {
  const cal = calendarOf(org);
  const people = await deps.people.getMany(contract.supervisorIds);
  const withNames = namesOf(people, contract.supervisorIds);
  const startsAtText = formatDateTime(org, session.startsAt);
  return {
    type: 'session-check',
    sessionId: session.id,
    title: `Your session with ${withNames.join(', ')} was due at ${startsAtText}. Did it happen?${again ? ' (asked again)' : ''}`,
    lines: [
      `${withNames.join(', ')} supervises you from outside the school and keeps the minutes; you say here whether it happened.`,
      'It happened: record the actions you agreed. It did not happen: say why and pick the new time — a session is never dropped without one.',
    ],
    startsAtText,
    withNames,
    again,
    date: cal.nextSchoolDay(cal.localDate(deps.clock.now())),
    time: contract.preferredTime,
    reasons: NOT_HELD_CHOICES,
    kept: true,
  };
}

interface KeptSession {
  contract: SupervisionContract;
  session: Session;
  ctx: Awaited<ReturnType<typeof loadActor>>;
}

/** The session, its contract and the actor, when the actor is the supervisee who keeps it; else a refusal. */
async function loadKept(deps: AppDeps, actorId: string, sessionId: string): Promise<KeptSession> {
  const ctx = await loadActor(deps, actorId);
  const session = await deps.sessions.get(sessionId);
  if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, session.contractId);
  if (!canKeepExternalSession(ctx.actor, contract, await isKeptBySupervisee(deps, contract))) throw new Refusal();
  return { contract, session, ctx };
}

const sessionRef = z.object({ sessionId: z.string().min(1).max(250) });

/** "It happened": the short form of the actions agreed, for the supervisee who keeps the session. */
export const keptForm = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult<KeptFormView>> => {
  const parsed = parseInput(sessionRef, input);
  const { contract, session, ctx } = await loadKept(deps, actorId, parsed.sessionId);
  const record = await deps.records.latest(recordIdFor(session.id));
  if (record) return viewRecord(deps, actorId, { recordId: record.id }) as Promise<UseCaseResult<KeptFormView>>;
  if (session.status !== 'scheduled') throw new Refusal('This session has been answered already — type next to see the session booked now.');
  if (session.startsAt.getTime() > deps.clock.now().getTime()) throw new Refusal('This session has not happened yet — its time is still ahead.');
  const view = await keptFormView(deps, ctx.org, contract, session, ctx.actor);
  return { ok: true, view, data: view };
});

export async function keptFormView(deps: AppDeps, org: Organisation, contract: SupervisionContract, session: Session, supervisee: Person, typed: KeptFormView['rows'] = []): Promise<KeptFormView> {
  const cal = calendarOf(org);
  const people = [supervisee, ...(await deps.people.getMany(contract.supervisorIds))];
  const supervisorName = namesOf(people, contract.supervisorIds).join(', ');
  const due = cal.addSchoolDays(cal.localDate(session.startsAt), 10);
  const rows = Array.from({ length: Math.max(KEPT_FORM_ROWS, typed.length) }, (_, n) => typed[n] ?? { n, text: '', ownerId: '', dueDate: '' });
  return {
    type: 'kept-form',
    sessionId: session.id,
    title: `Your session with ${supervisorName} on ${formatDateTime(org, session.startsAt)}: the actions agreed`,
    lines: [
      `${supervisorName} keeps the minutes. Record here only the actions you agreed — each with who does it and by when — and, if you like, the themes.`,
      'Sending it records the session as held, signed by you; a signed record does not change.',
    ],
    supervisorName,
    ownerOptions: [ref(people, supervisee.id), ...contract.supervisorIds.map((id) => ref(people, id))],
    topicOptions: RECORD_TOPICS.map((value) => ({ value, label: RECORD_TOPIC_LABELS[value] })),
    rows,
    dueDate: due,
  };
}

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick a date').refine(isCalendarDate, 'pick a date that exists');
const keptInput = z
  .object({
    sessionId: z.string().min(1).max(250),
    topics: z.array(z.enum(RECORD_TOPICS, { message: 'pick from the themes listed' })).max(RECORD_TOPICS.length).default([]),
    actions: z
      .array(
        z.object({
          text: z.string().trim().min(1, 'describe the action').max(RECORD_LIMITS.action, `can be at most ${count(RECORD_LIMITS.action)} characters`),
          ownerId: z.string().min(1, 'say who does it').max(200),
          dueDate: localDate,
        }),
      )
      .max(RECORD_LIMITS.actions, `at most ${RECORD_LIMITS.actions} actions`)
      .default([]),
  })
  .strict();

/**
 * "It happened", sent: the record kept by the external supervisor — the actions agreed and the themes, no notes
 * or concerns — signed by the supervisee who recorded it; the session held; the actions open. A retry after a
 * crash finishes what the first attempt started and writes nothing twice.
 */
export const recordKeptSession = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(keptInput, input, recordFieldLabel);
  const { contract, session, ctx } = await loadKept(deps, actorId, parsed.sessionId);
  const now = deps.clock.now();
  const recordId = recordIdFor(session.id);
  const stored = await deps.records.latest(recordId);
  const resuming = stored?.keptBy === 'external' && stored.recordedById === actorId;
  if (stored && !resuming) throw new Refusal('A record of this session exists already — open it with record.');
  if (!resuming) {
    if (session.status !== 'scheduled') throw new Refusal('This session has been answered already — type next to see the session booked now.');
    if (session.startsAt.getTime() > now.getTime()) throw new Refusal('This session has not happened yet — its time is still ahead.');
  }
  // every row is checked before anything is written
  const sessionDay = ctx.cal.localDate(session.startsAt);
  const owners = [actorId, ...contract.supervisorIds];
  const supervisors = await deps.people.getMany(contract.supervisorIds);
  parsed.actions.forEach((a, i) => {
    if (!owners.includes(a.ownerId)) throw new ValidationError(`actions.${i}.ownerId`, 'is you or your supervisor', `Action ${i + 1}, by whom: you or ${namesOf(supervisors, contract.supervisorIds).join(', ')}`);
    if (a.dueDate < sessionDay) throw new ValidationError(`actions.${i}.dueDate`, 'is after the session', `Action ${i + 1}, the due date: on or after the session’s day`);
    if (a.dueDate > `${Number(sessionDay.slice(0, 4)) + 1}${sessionDay.slice(4)}`) throw new ValidationError(`actions.${i}.dueDate`, 'is within a year of the session', `Action ${i + 1}, the due date: within a year of the session`);
  });
  let record: RecordSheet = stored ?? {
    ...newDraft(
      {
        id: recordId,
        organisationId: ctx.org.id,
        contractId: contract.id,
        sessionId: session.id,
        date: sessionDay,
        supervisorId: contract.supervisorIds[0] as string,
        superviseeIds: contract.superviseeIds,
        topics: parsed.topics,
        notes: '',
        concerns: [],
        caseDecisions: [],
        actions: parsed.actions.map((a, i) => ({ id: `a${i + 1}`, ...a })),
        previousActionsReviewed: [],
      },
      now,
    ),
    state: 'signed',
    confirmations: [{ personId: actorId, at: now }],
    submittedAt: now,
    signedAt: now,
    keptBy: 'external',
    recordedById: actorId,
  };
  if (!stored) {
    try {
      await deps.records.insertVersion(record);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const raced = await deps.records.latest(recordId);
      if (raced?.keptBy !== 'external' || raced.recordedById !== actorId) throw new Refusal('A record of this session exists already — open it with record.');
      record = raced;
    }
  }
  const at = record.signedAt ?? now;
  // the supervisee's confirmation, audited as a submission and a signature (the evidence chain checks both digests)
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'record.submitted', subject: { kind: 'record', id: record.id, version: record.version }, detail: { digest: recordDigest(record), keptBy: 'external' }, at, key: `submit:${record.id}:v${record.version}:${at.getTime()}` });
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'record.signed', subject: { kind: 'record', id: record.id, version: record.version }, detail: { confirmations: 1, digest: recordDigest(record), keptBy: 'external' }, at, key: `confirm:${record.id}:v${record.version}:${actorId}` });
  const current = (await deps.sessions.get(session.id)) ?? session;
  await heldNow(deps, ctx.org, contract, current, actorId);
  await dropReminders(deps, session.id, sessionReminderIds(session.id));
  const actions = agreedActionsFrom(record, now);
  await deps.actions.upsertMany(actions);
  for (const a of actions) await putReminders(deps, remindersForAction(a, ctx.org, ctx.cal));
  return viewRecord(deps, actorId, { recordId: record.id });
});

/** Whether `actorId` answers this session as the supervisee who keeps it (for the not-held path and the card). */
export async function answersAsKeeper(deps: AppDeps, actor: Person, contract: SupervisionContract): Promise<boolean> {
  return canKeepExternalSession(actor, contract, await isKeptBySupervisee(deps, contract));
}
