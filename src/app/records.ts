/**
 * The record sheet: the supervisor writes it (stour §5, §8), both parties confirm it in chat, and once
 * signed it never changes; a dispute goes to the line manager or safeguarding governor (white-laith, template).
 */
import { z } from 'zod';
import { invitesFor, putMeetingInCalendars } from './calendar.js';
import { canConfirmRecord, canCorrectRecord, canDraftRecord, canHearDispute, canViewRecord } from '../domain/permissions.js';
import {
  agreedActionsFrom,
  arrangeDisputeMeeting as arrangeMeeting,
  referDispute as referDispute_,
  confirm,
  correctSignedRecord as correctVersion,
  dispute,
  editDraft,
  newDraft,
  type RecordContent,
  requiredConfirmers,
  resolveDispute as resolve,
  submitForConfirmation,
} from '../domain/record.js';
import { remindersForAction, remindersForCaseDecision, remindersForRecord } from '../domain/reminders.js';
import { disputeRecipient } from '../domain/routing.js';
import { attendanceProblems, count, RECORD_LIMITS, recordFieldLabel, recordFormProblems } from '../domain/record-form.js';
import { formRules, lineManagerToReferTo, reviewableActions, storedForm } from './record-form-context.js';
import { completeAction } from './follow-up.js';
import { isCalendarDate } from '../domain/calendar.js';
import { ATTENDANCE_STATES, type Attendance, RECORD_TOPICS, REFERRAL_KINDS, type RecordSheet, type SupervisionContract } from '../domain/types.js';
import { type ActorContext, loadActor, loadContract } from './context.js';
import { recordDigest } from './evidence/chain.js';
import { audit, dropReminders, escalate, putReminders, refreshCompliance } from './effects.js';
import { tellNotEngaging } from './session-outcomes.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import { type AppDeps, VersionConflictError } from './ports.js';
import { formatDate, formatDateTime, REFERRAL_TEXT, recordSheetView } from './present.js';
import { heldNow, honourRecordedNext, refuseClash } from './sessions.js';
import type { InviteLink } from './views.js';

const text = (max: number, what: string) => z.string().trim().max(max, `${what} can be at most ${count(max)} characters`);
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'pick a date').refine(isCalendarDate, 'pick a date that exists');
const L = RECORD_LIMITS;

const contentInput = z.object({
  topics: z.array(z.enum(RECORD_TOPICS, { message: 'pick from the topics listed' })).max(RECORD_TOPICS.length).default([]),
  notes: text(L.notes, 'the discussion').default(''),
  concerns: z
    .array(z.object({ text: text(L.concern, 'a concern').min(1, 'describe the concern'), riskOfHarm: z.boolean().default(false) }))
    .max(L.concerns, `at most ${L.concerns} concerns`)
    .default([]),
  caseDecisions: z
    .array(
      z.object({
        // Initials or a school reference only — never a child's name (template "recording"; stour App. C), see childRefProblem
        childRef: z.string().trim().max(L.childRef, `the child’s reference can be at most ${L.childRef} characters`),
        decision: text(L.decision, 'the decision').min(1, 'record the decision'),
        rationale: text(L.rationale, 'the rationale').min(1, 'record the rationale'),
        followUpById: z.string().min(1, 'say who follows up').max(200),
      }),
    )
    .max(L.caseDecisions, `at most ${L.caseDecisions} case decisions`)
    .default([]),
  actions: z
    .array(z.object({ text: text(L.action, 'an action').min(1, 'describe the action'), ownerId: z.string().min(1, 'say who owns the action').max(200), dueDate: localDate }))
    .max(L.actions, `at most ${L.actions} actions`)
    .default([]),
  previousActionsReviewed: z
    .array(z.object({ actionId: z.string().min(1).max(300), outcome: z.enum(['done', 'carried-forward', 'dropped'], { message: 'pick done, carried forward or dropped' }), note: text(L.previousNote, 'the note').optional() }))
    .max(RECORD_LIMITS.previousActions, `at most ${RECORD_LIMITS.previousActions} of last session’s actions`)
    .default([]),
  nextSessionAt: z.coerce.date({ message: 'pick a date and time' }).optional(),
  /** A group session: each member present, with apologies or absent (a member not given is present). */
  attendance: z
    .array(z.object({ personId: z.string().min(1).max(200), state: z.enum(ATTENDANCE_STATES, { message: 'pick present, apologies or absent' }) }))
    .max(L.members, `at most ${L.members} members`)
    .default([]),
  /** "Refer to line manager: conduct or development" (template "supervision agreement"), with a short note. */
  referral: z
    .object({
      kind: z.enum(REFERRAL_KINDS, { message: 'pick conduct or development' }),
      note: text(L.referralNote, 'the note').min(1, 'write a short note for the line manager'),
    })
    .optional(),
});

const draftInput = contentInput.extend({
  sessionId: z.string().min(1).max(200),
  /** Submit for confirmation straight away (the card's "Send to confirm"). */
  submit: z.boolean().default(false),
});

const recordRef = z.object({ recordId: z.string().min(1).max(200) });

async function partyView(deps: AppDeps, ctx: Pick<ActorContext, 'org'>, record: RecordSheet, viewerId: string) {
  const d = record.dispute;
  const people = await deps.people.getMany([
    ...requiredConfirmers(record),
    ...record.actions.map((a) => a.ownerId),
    ...record.caseDecisions.map((x) => x.followUpById),
    ...(d ? [d.byId, d.routedToId ?? '', d.resolvedById ?? '', d.referredById ?? ''] : []),
    ...(record.correction ? [record.correction.byId] : []),
    ...(record.destroyed ? [record.destroyed.byId] : []),
  ]);
  const viewer = people.find((p) => p.id === viewerId) ?? (await deps.people.get(viewerId));
  if (!viewer) throw new Refusal();
  const previous = await Promise.all(record.previousActionsReviewed.map((r) => deps.actions.get(r.actionId)));
  // an older version is shown as superseded by the one that corrected it
  const latest = record.state === 'signed' ? await deps.records.latest(record.id) : null;
  const supersededByVersion = latest && latest.version > record.version ? latest.version : undefined;
  // a concern's escalation (raised with the record or flagged since) is keyed by the record and the concern
  const escalations = await Promise.all(record.concerns.map((c) => deps.escalations.get(`esc.record-concern.${record.id}.${c.id}`)));
  const flaggedConcernIds = record.concerns.filter((_, i) => escalations[i]).map((c) => c.id);
  const riskUnheard = escalations.some((e) => e && e.notifiedIds.length === 0 && !e.acknowledgedAt);
  const view = recordSheetView({ org: ctx.org, record, viewer, people, previousActions: previous.filter((a) => a !== null), supersededByVersion, flaggedConcernIds });
  // the supervisor editing it gets the form's own parts: the agenda and last session's actions to review
  const withForm = view.canEdit ? { ...view, form: await storedForm(deps, ctx.org, record) } : view;
  return riskUnheard ? { ...withForm, riskUnheard } : withForm;
}

/**
 * Each party's record card, on one thread per record so every change updates the same message; `alsoTo`
 * (the person hearing a referred change) gets their own view of it on the same thread.
 */
async function sendCards(deps: AppDeps, ctx: Pick<ActorContext, 'org'>, record: RecordSheet, stamp: string, alsoTo: string[] = []): Promise<void> {
  const now = deps.clock.now();
  const messages = await Promise.all(
    [...new Set([...requiredConfirmers(record), ...alsoTo])].map(async (recipientId) => ({
      id: `${record.id}.v${record.version}.${stamp}.${recipientId}`,
      organisationId: record.organisationId,
      recipientId,
      threadKey: `record:${record.id}`,
      createdAt: now,
      view: await partyView(deps, ctx, record, recipientId),
    })),
  );
  await deps.outbox.enqueue(messages);
}

/**
 * A signed record's referral (template "supervision agreement"): the line manager gets a short note that carries
 * none of the session — who, that a conduct or development matter was referred, the note, and who to talk to —
 * and the supervisee is told it was sent. Once per version (the outbox ids); the audit entry holds no text.
 */
async function sendReferral(deps: AppDeps, ctx: Pick<ActorContext, 'org'>, record: RecordSheet): Promise<void> {
  const referral = record.referral;
  if (!referral || record.state !== 'signed') return;
  const superviseeId = record.superviseeIds[0] ?? '';
  const people = await deps.people.getMany([record.supervisorId, superviseeId, referral.lineManagerId, ...ctx.org.dslIds]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  const what = REFERRAL_TEXT[referral.kind];
  const dsls = ctx.org.dslIds.filter((id) => id !== record.supervisorId && id !== referral.lineManagerId);
  const talkTo = `${name(record.supervisorId)}${dsls.length > 0 ? ` or the DSL (${dsls.map(name).join(', ')})` : ''}`;
  const now = deps.clock.now();
  const stamp = `${record.id}.v${record.version}.referral`;
  await deps.outbox.enqueue([
    {
      id: `${stamp}.${referral.lineManagerId}`,
      organisationId: record.organisationId,
      recipientId: referral.lineManagerId,
      createdAt: now,
      view: {
        type: 'text',
        text: `Referred to you as ${name(superviseeId)}’s line manager: ${what}.\n${name(record.supervisorId)} refers it from ${name(superviseeId)}’s supervision. Their note: ${referral.note}\nThis note is all that is passed on: what was discussed in supervision stays in the supervision record. To talk it through, speak to ${talkTo}.`,
      },
    },
    {
      id: `${stamp}.${superviseeId}`,
      organisationId: record.organisationId,
      recipientId: superviseeId,
      createdAt: now,
      view: {
        type: 'text',
        text: `${name(record.supervisorId)} has sent ${what} from your supervision of ${formatDate(ctx.org, record.date)} to your line manager, ${name(referral.lineManagerId)}: only the note on your record, none of what was discussed.`,
      },
    },
  ]);
  await audit(deps, { organisationId: record.organisationId, actorId: record.supervisorId, action: 'record.referred-to-line-manager', subject: { kind: 'record', id: record.id, version: record.version }, detail: { kind: referral.kind, to: referral.lineManagerId }, key: stamp });
}

/** A record destroyed under the retention schedule (the DSL approved it): nothing more is done with it. */
const DESTROYED = 'This record’s content was destroyed under the school’s retention schedule; nothing more can be done with it.';

/**
 * The record, then the actor with its parties in one read: the actor confirming is one of them, and the cards
 * name them all, so inside a unit of work (`withReadMemo`) the reads after this are answered from memory.
 */
async function readPartiesFirst(deps: AppDeps, recordId: string, actorId: string): Promise<void> {
  const record = await deps.records.latest(recordId);
  if (record) await deps.people.getMany([actorId, record.supervisorId, ...record.superviseeIds]);
}

/** Retries a read-modify-write when another party changed the record at the same moment. */
async function withLatest<T>(deps: AppDeps, recordId: string, fn: (record: RecordSheet) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const record = await deps.records.latest(recordId);
    if (!record) throw new Refusal();
    if (record.destroyed) throw new Refusal(DESTROYED);
    try {
      return await fn(record);
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= 8) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

/** A group's attendance, every member in the group's order: one not given was present. Not kept for one-to-one. */
function attendanceOf(contract: SupervisionContract, given: ReadonlyArray<Attendance>): Attendance[] | undefined {
  if (contract.kind !== 'group') return undefined;
  return contract.superviseeIds.map((personId) => ({ personId, state: given.find((a) => a.personId === personId)?.state ?? 'present' }));
}

function content(parsed: z.infer<typeof contentInput>, key: string, now: Date, contract: SupervisionContract, lineManagerId?: string): RecordContent {
  return {
    attendance: attendanceOf(contract, parsed.attendance),
    referral: parsed.referral && lineManagerId ? { ...parsed.referral, lineManagerId } : undefined,
    topics: parsed.topics,
    notes: parsed.notes,
    concerns: parsed.concerns.map((c, i) => ({ id: `c${i + 1}`, text: c.text, riskOfHarm: c.riskOfHarm })),
    caseDecisions: parsed.caseDecisions.map((d, i) => ({ id: `d${i + 1}`, ...d, decidedAt: now })),
    actions: parsed.actions.map((a, i) => ({ id: `a${i + 1}`, ...a })),
    previousActionsReviewed: parsed.previousActionsReviewed,
    nextSessionAt: parsed.nextSessionAt,
  };
}

export const recordIdFor = (sessionId: string) => `rec.${sessionId}`;

/** A member absent from the group's last two sessions: their line manager and the DSL are told, once for those sessions. */
async function tellAbsentInARow(deps: AppDeps, org: ActorContext['org'], contract: SupervisionContract): Promise<void> {
  const summary = await deps.compliance.get(contract.id);
  if (summary?.notEngaging?.reason !== 'absent-in-a-row') return;
  await tellNotEngaging(deps, org, contract, { ...summary.notEngaging, from: summary.notEngagingFrom ?? deps.clock.now() });
}

/** The supervisor writes (or edits) the record of a session; optionally sends it to confirm. */
export const draftRecord = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(draftInput, input, recordFieldLabel);
  const ctx = await loadActor(deps, actorId);
  const session = await deps.sessions.get(parsed.sessionId);
  if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, session.contractId);
  if (!canDraftRecord(ctx.actor, contract)) throw new Refusal();
  // the whole form is checked before anything is written: one refusal and nothing is saved
  const recordId = recordIdFor(session.id);
  const sessionDay = ctx.cal.localDate(session.startsAt);
  const stored = await deps.records.latest(recordId);
  if (stored?.destroyed) throw new Refusal(DESTROYED);
  const previous = await reviewableActions(deps, contract.id, recordId, stored?.previousActionsReviewed ?? []);
  const problems = recordFormProblems(
    { ...parsed, nextSessionDay: parsed.nextSessionAt ? ctx.cal.localDate(parsed.nextSessionAt) : undefined },
    formRules(ctx.org, ctx.cal, contract, sessionDay, previous),
  );
  if (contract.kind === 'group' || parsed.attendance.length > 0) {
    const members = contract.kind === 'group' ? contract.superviseeIds : [];
    const named = await deps.people.getMany(members);
    problems.push(...attendanceProblems(parsed.attendance, members, (id) => named.find((p) => p.id === id)?.name ?? 'a member'));
  }
  const referTo = parsed.referral ? await lineManagerToReferTo(deps, contract, stored?.supervisorId ?? actorId) : undefined;
  if (parsed.referral && !referTo) problems.push({ field: 'referral.kind', message: 'Refer to line manager: only when you are not the supervisee’s line manager, and they have one named — ask the DSL' });
  const first = problems[0];
  if (first) throw new ValidationError(first.field, first.message, problems.map((p) => p.message).join('\n'));
  const now = deps.clock.now();
  // the next session named must not sit on top of another of the supervisor's sessions or the room's
  if (parsed.nextSessionAt && parsed.nextSessionAt.getTime() > now.getTime()) {
    const own = await deps.sessions.byContract(contract.id);
    const moving = own.filter((s) => s.status === 'scheduled' && !s.onRequest && s.startsAt.getTime() > now.getTime()).map((s) => s.id);
    await refuseClash(deps, ctx.org, contract, { startsAt: parsed.nextSessionAt, durationMinutes: contract.durationMinutes }, [session.id, ...moving], 'nextSessionAt', 'Next session');
  }
  const body = content(parsed, recordId, now, contract, referTo?.id);
  // the session carries the group's attendance, so the compliance summary sees a member absent twice in a row
  if (body.attendance) await deps.sessions.setAttendance(session.id, body.attendance);
  if (session.status === 'scheduled' && session.startsAt.getTime() <= now.getTime()) await heldNow(deps, ctx.org, contract, session, actorId, parsed.nextSessionAt);
  else if (body.attendance) await refreshCompliance(deps, ctx.org, contract);
  if (body.attendance) await tellAbsentInARow(deps, ctx.org, contract);
  let record = await deps.records.latest(recordId);
  if (!record) {
    record = newDraft(
      { id: recordId, organisationId: ctx.org.id, contractId: contract.id, sessionId: session.id, date: ctx.cal.localDate(session.startsAt), supervisorId: actorId, superviseeIds: contract.superviseeIds, ...body },
      now,
    );
    try {
      await deps.records.insertVersion(record);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  } else {
    record = await withLatest(deps, recordId, async (latest) => {
      const edited = editDraft(latest, body, actorId, now);
      await deps.records.replace(edited, latest.updatedAt);
      return edited;
    });
  }
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'record.drafted', subject: { kind: 'record', id: recordId, version: record.version }, detail: { concerns: body.concerns.length, actions: body.actions.length } });
  // A concern flagged as risk of harm is escalated now, not when the record is signed (template supervisee (d)).
  for (const concern of record.concerns.filter((c) => c.riskOfHarm)) {
    await escalate(deps, ctx.org, { raisedById: actorId, subjectPersonId: contract.superviseeIds[0] ?? actorId, source: { kind: 'record-concern', id: `${recordId}.${concern.id}`, recordId }, text: concern.text });
  }
  if (parsed.submit) {
    await applyReviews(deps, actorId, record);
    return submitRecordForConfirmation(deps, actorId, { recordId });
  }
  return { ok: true, view: await partyView(deps, ctx, record, actorId) };
});

/**
 * Last session's actions, reviewed on the record as it is sent (white-laith contract; stour §6): done closes
 * it as its owner's "Done" does, so "actions closed on time" counts it; dropped closes it as "not needed" with
 * the note; carried forward leaves it open, named on this record. Each closing is one conditional update, so
 * sending again (an edit, a retry) closes nothing twice.
 */
async function applyReviews(deps: AppDeps, actorId: string, record: RecordSheet): Promise<void> {
  for (const review of record.previousActionsReviewed) {
    if (review.outcome === 'carried-forward') continue;
    const closed = await completeAction(deps, actorId, { actionId: review.actionId, ...(review.outcome === 'dropped' ? { notNeededReason: review.note ?? '' } : {}) });
    if (!closed.ok && closed.error.type !== 'refusal') throw new Error('a reviewed action could not be closed');
  }
}

export const submitRecordForConfirmation = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(recordRef, input);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  const record = await withLatest(deps, parsed.recordId, async (latest) => {
    if (latest.organisationId !== ctx.org.id || latest.supervisorId !== actorId) throw new Refusal();
    if (latest.state === 'awaiting-confirmation') return latest;
    const sent = submitForConfirmation(latest, actorId, now);
    await deps.records.replace(sent, latest.updatedAt);
    return sent;
  });
  // Keyed by the submission, so a command retried after a crash between the record write and this entry
  // writes the entry it missed, and a repeated submission writes nothing.
  await audit(deps, { organisationId: ctx.org.id, actorId, action: 'record.submitted', subject: { kind: 'record', id: record.id, version: record.version }, detail: { digest: recordDigest(record) }, at: record.submittedAt, key: `submit:${record.id}:v${record.version}:${record.submittedAt?.getTime() ?? 0}` });
  // template "recording": decisions reach the child's file within 24 hours — tracked from now.
  await deps.caseDecisions.upsertMany(record.caseDecisions.map((d) => ({ ...d, organisationId: record.organisationId, recordId: record.id, contractId: record.contractId })));
  for (const d of record.caseDecisions) await putReminders(deps, remindersForCaseDecision({ ...d, organisationId: record.organisationId, recordId: record.id }, ctx.org));
  await putReminders(deps, remindersForRecord(record, ctx.org, ctx.cal));
  await sendCards(deps, ctx, record, `sent-${record.submittedAt?.getTime() ?? 0}`);
  return { ok: true, view: await partyView(deps, ctx, record, actorId) };
});

const confirmInput = recordRef.extend({ version: z.number().int().min(1).optional() });

/** stour §5, §8: both parties agree and sign that the record is accurate; a second click changes nothing. */
export const confirmRecord = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(confirmInput, input);
  await readPartiesFirst(deps, parsed.recordId, actorId);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  const outcome = await withLatest(deps, parsed.recordId, async (latest) => {
    if (latest.organisationId !== ctx.org.id || !canConfirmRecord(ctx.actor, latest)) throw new Refusal();
    if (parsed.version !== undefined && parsed.version !== latest.version && latest.state !== 'signed') {
      throw new Refusal('This card shows an older version of the record — open the latest one to confirm.');
    }
    const result = confirm(latest, actorId, now);
    if (!result.alreadyConfirmed) await deps.records.replace(result.record, latest.updatedAt);
    return result;
  });
  const record = outcome.record;
  // Keyed by the confirmation, so a command retried after a crash between the record write and this entry
  // writes the entry it missed, and a repeated click writes nothing.
  const mine = record.confirmations.findIndex((c) => c.personId === actorId);
  const confirmation = record.confirmations[mine];
  if (confirmation) {
    const signedByMe = record.state === 'signed' && mine === record.confirmations.length - 1;
    await audit(deps, { organisationId: ctx.org.id, actorId, action: signedByMe ? 'record.signed' : 'record.confirmed', subject: { kind: 'record', id: record.id, version: record.version }, detail: { confirmations: mine + 1, digest: recordDigest(record) }, at: confirmation.at, key: `confirm:${record.id}:v${record.version}:${actorId}` });
  }
  if (outcome.signed) {
    const actions = agreedActionsFrom(record, now);
    await deps.actions.upsertMany(actions);
    for (const a of actions) await putReminders(deps, remindersForAction(a, ctx.org, ctx.cal));
    await dropReminders(deps, record.id, [`record-unsigned:${record.id}`]);
    // the next session is the one the record names, when it can be held then (template "intervals")
    const contract = await deps.contracts.get(record.contractId);
    if (contract) await honourRecordedNext(deps, ctx.org, contract, record.nextSessionAt, record.id);
    await sendReferral(deps, ctx, record);
  }
  await sendCards(deps, ctx, record, `c${record.confirmations.length}`);
  return { ok: true, view: await partyView(deps, ctx, record, actorId), data: { signed: outcome.signed, alreadyConfirmed: outcome.alreadyConfirmed } };
});

const disputeInput = recordRef.extend({ reason: z.string().trim().min(1, 'say what should change').max(2000) });

/** white-laith contract: both parties know in advance that the dispute goes to a three-way meeting. */
export const disputeRecord = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(disputeInput, input);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  const record = await withLatest(deps, parsed.recordId, async (latest) => {
    if (latest.organisationId !== ctx.org.id || !canConfirmRecord(ctx.actor, latest)) throw new Refusal();
    if (latest.state === 'disputed' && latest.dispute?.byId === actorId) return latest;
    const contract = await loadContract(deps, ctx, latest.contractId);
    const people = await deps.people.getMany([...contract.supervisorIds, ...contract.superviseeIds]);
    const disputed = dispute(latest, actorId, parsed.reason, disputeRecipient(contract, ctx.org, people), now);
    await deps.records.replace(disputed, latest.updatedAt);
    return disputed;
  });
  if (record.dispute) {
    const at = record.dispute.at;
    await audit(deps, { organisationId: ctx.org.id, actorId: record.dispute.byId, action: 'record.disputed', subject: { kind: 'record', id: record.id, version: record.version }, detail: { routedTo: record.dispute.routedToId ?? null }, at, key: `dispute:${record.id}:v${record.version}:${at.getTime()}` });
  }
  const people = await deps.people.getMany([...requiredConfirmers(record), actorId]);
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  const notice = {
    type: 'dispute-notice' as const,
    recordId: record.id,
    dateText: formatDate(ctx.org, record.date),
    supervisorName: name(record.supervisorId),
    superviseeNames: record.superviseeIds.map(name),
    raisedByName: name(actorId),
    reason: record.dispute?.reason ?? parsed.reason,
  };
  // the change goes back to the supervisor first (both told); the person the contract names hears it only if referred
  const recipients = requiredConfirmers(record);
  await deps.outbox.enqueue(
    recipients.map((recipientId) => ({ id: `${record.id}.v${record.version}.dispute.${record.dispute?.at.getTime()}.${recipientId}`, organisationId: record.organisationId, recipientId, createdAt: now, view: notice })),
  );
  await sendCards(deps, ctx, record, `d${record.dispute?.at.getTime()}`);
  return { ok: true, view: await partyView(deps, ctx, record, actorId) };
});

/** The hearer and the parties, each told on the record's thread; the hearer's card carries the hearing's buttons. */
async function hearingCards(deps: AppDeps, ctx: Pick<ActorContext, 'org'>, record: RecordSheet, stamp: string): Promise<void> {
  await sendCards(deps, ctx, record, stamp, record.dispute?.routedToId ? [record.dispute.routedToId] : []);
}

const referInput = recordRef;

/** white-laith contract, template "complaints": a change the two cannot settle goes to the person the contract names. */
export const referDispute = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(referInput, input);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  const record = await withLatest(deps, parsed.recordId, async (latest) => {
    if (latest.organisationId !== ctx.org.id || !canConfirmRecord(ctx.actor, latest)) throw new Refusal();
    const referred = referDispute_(latest, actorId, now);
    if (referred !== latest) await deps.records.replace(referred, latest.updatedAt);
    return referred;
  });
  const d = record.dispute;
  if (d?.referredAt) {
    await audit(deps, { organisationId: ctx.org.id, actorId: d.referredById ?? actorId, action: 'record.dispute-referred', subject: { kind: 'record', id: record.id, version: record.version }, detail: { routedTo: d.routedToId ?? null }, at: d.referredAt, key: `refer:${record.id}:v${record.version}:${d.at.getTime()}` });
    await hearingCards(deps, ctx, record, `ref${d.referredAt.getTime()}`);
  }
  return { ok: true, view: await partyView(deps, ctx, record, actorId) };
});

const meetingInput = recordRef.extend({ at: z.coerce.date({ message: 'must be a date and time' }) });

/** template "complaints": a three-way meeting; both parties are told of it in advance. */
export const arrangeDisputeMeeting = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(meetingInput, input);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  const record = await withLatest(deps, parsed.recordId, async (latest) => {
    if (latest.organisationId !== ctx.org.id || !canHearDispute(ctx.actor, latest, ctx.org)) throw new Refusal();
    if (latest.dispute?.meeting?.at.getTime() === parsed.at.getTime()) return latest;
    const arranged = arrangeMeeting(latest, actorId, parsed.at, now);
    await deps.records.replace(arranged, latest.updatedAt);
    return arranged;
  });
  const meeting = record.dispute?.meeting;
  if (meeting) {
    await audit(deps, { organisationId: ctx.org.id, actorId: meeting.arrangedById, action: 'record.dispute-meeting-arranged', subject: { kind: 'record', id: record.id, version: record.version }, detail: {}, at: meeting.arrangedAt, key: `meeting:${record.id}:v${record.version}:${meeting.at.getTime()}` });
    const people = await deps.people.getMany([...requiredConfirmers(record), meeting.arrangedById]);
    const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
    const notice = { type: 'text' as const, text: `A three-way meeting about the supervision record of ${formatDate(ctx.org, record.date)} (${name(record.supervisorId)} with ${record.superviseeIds.map(name).join(', ')}) is arranged for ${formatDateTime(ctx.org, meeting.at)} with ${name(meeting.arrangedById)}.` };
    // in the calendars of both parties and the person hearing it, each told with their own invite
    const contract = await deps.contracts.get(record.contractId);
    const inCalendars = await putMeetingInCalendars(deps, record, contract?.location ?? '');
    const invites = inCalendars ? await invitesFor(deps, record.organisationId, inCalendars.personIds, 'meeting', inCalendars.id) : new Map<string, InviteLink>();
    await deps.outbox.enqueue([
      ...requiredConfirmers(record).map((recipientId) => ({ id: `${record.id}.v${record.version}.meeting.${meeting.at.getTime()}.${recipientId}`, organisationId: record.organisationId, recipientId, createdAt: now, view: { ...notice, invite: invites.get(recipientId) } })),
      ...(requiredConfirmers(record).includes(meeting.arrangedById)
        ? []
        : [{ id: `${record.id}.v${record.version}.meeting.${meeting.at.getTime()}.${meeting.arrangedById}`, organisationId: record.organisationId, recipientId: meeting.arrangedById, createdAt: now, view: { type: 'text' as const, text: `The three-way meeting about the supervision record of ${formatDate(ctx.org, record.date)} is arranged for ${formatDateTime(ctx.org, meeting.at)}; both parties have been told.`, invite: invites.get(meeting.arrangedById) } }]),
    ]);
    await hearingCards(deps, ctx, record, `m${meeting.at.getTime()}`);
  }
  return { ok: true, view: await partyView(deps, ctx, record, actorId) };
});

const resolveInput = recordRef.extend({
  resolution: z.string().trim().min(1, 'record what was agreed').max(2000),
  /** keep: the record is signed as it stands, with the resolution noted; amend: the supervisor changes it and both confirm. */
  outcome: z.enum(['keep', 'amend'], { message: 'choose: keep the record, or amend it' }).default('amend'),
});

/** The outcome of a referred change, recorded by the person hearing it (or the DSL/a deputy for them). */
export const resolveDispute = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(resolveInput, input);
  const ctx = await loadActor(deps, actorId);
  const now = deps.clock.now();
  const record = await withLatest(deps, parsed.recordId, async (latest) => {
    if (latest.organisationId !== ctx.org.id || !canHearDispute(ctx.actor, latest, ctx.org)) throw new Refusal();
    if (latest.dispute?.resolvedAt) return latest;
    const resolved = resolve(latest, actorId, parsed.resolution, now, parsed.outcome);
    await deps.records.replace(resolved, latest.updatedAt);
    return resolved;
  });
  const resolvedAt = record.dispute?.resolvedAt;
  if (resolvedAt) {
    await audit(deps, { organisationId: ctx.org.id, actorId: record.dispute?.resolvedById ?? actorId, action: 'record.dispute-resolved', subject: { kind: 'record', id: record.id, version: record.version }, detail: { outcome: record.dispute?.outcome ?? null, digest: recordDigest(record) }, at: resolvedAt, key: `resolve:${record.id}:v${record.version}:${resolvedAt.getTime()}` });
  }
  if (record.state === 'signed') {
    // kept as it was: signed now, so its actions go live as when both confirm
    const actions = agreedActionsFrom(record, now);
    await deps.actions.upsertMany(actions);
    for (const a of actions) await putReminders(deps, remindersForAction(a, ctx.org, ctx.cal));
    await dropReminders(deps, record.id, [`record-unsigned:${record.id}`]);
    await sendReferral(deps, ctx, record);
  }
  await hearingCards(deps, ctx, record, `r${resolvedAt?.getTime()}`);
  const text = record.dispute?.outcome === 'kept' ? 'Recorded: the record is kept as it is and is now signed, with the resolution noted. Both parties are told.' : 'Recorded: the record is to be amended; the supervisor changes it and both confirm the new version.';
  return { ok: true, view: { type: 'text', text } };
});

const correctInput = recordRef.extend({ reason: z.string().trim().min(1, 'say what needs correcting').max(2000).optional() });

/** stour §5, §8: a signed record is corrected by a new version both sign again; the signed one is kept. */
export const correctSignedRecord = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(correctInput, input);
  const ctx = await loadActor(deps, actorId);
  const latest = await deps.records.latest(parsed.recordId);
  if (!latest || latest.organisationId !== ctx.org.id || !canCorrectRecord(ctx.actor, latest, ctx.org)) throw new Refusal();
  if (latest.destroyed) throw new Refusal(DESTROYED);
  // stour §4: the external supervisor keeps the minutes; what the supervisee recorded and signed stays as it is
  if (latest.keptBy === 'external') throw new Refusal('This record is kept by the external supervisor: the minutes are theirs, and what was recorded here stays as it was signed.');
  if (latest.state !== 'signed') return { ok: true, view: await partyView(deps, ctx, latest, actorId) };
  const next = correctVersion(latest, actorId, deps.clock.now(), parsed.reason);
  try {
    await deps.records.insertVersion(next);
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
  }
  const current = (await deps.records.latest(parsed.recordId)) ?? next;
  // keyed by the new version: written once whether this call or a retried one created it
  await audit(deps, { organisationId: ctx.org.id, actorId: current.correction?.byId ?? actorId, action: 'record.correction-started', subject: { kind: 'record', id: next.id, version: next.version }, detail: { supersedes: latest.version }, key: `correct:${next.id}:v${next.version}` });
  // the supervisor gets the new version to edit and send; the supervisee sees why it is being corrected
  await sendCards(deps, ctx, current, `corr${current.version}`);
  return { ok: true, view: await partyView(deps, ctx, current, actorId) };
});

const viewInput = recordRef.extend({ version: z.number().int().min(1).optional() });

/** A record as the viewer may see it: its parties, their DSL, an auditor once signed — nobody else. */
export const viewRecord = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(viewInput, input);
  const ctx = await loadActor(deps, actorId);
  const record = parsed.version ? await deps.records.version(parsed.recordId, parsed.version) : await deps.records.latest(parsed.recordId);
  if (!record || !canViewRecord(ctx.actor, record, ctx.org)) throw new Refusal();
  return { ok: true, view: await partyView(deps, ctx, record, actorId) };
});
