/**
 * What happens to a session after its time, and sessions asked for between the scheduled ones.
 *
 * - "It did not happen" (template "intervals": never without a new time): the session is marked as not held,
 *   with why, and the new time is booked in the same step — replacing any cadence session booked meanwhile, so
 *   the contract keeps one future scheduled session.
 * - Not engaging (template line manager (e), (j); supervisor (e)): two sessions in a row that did not happen,
 *   or no answer for five school days, reach the line manager and the DSL.
 * - On request (stour App. C): the supervisee asks; the supervisor books it within five school days, else the
 *   DSL is told. The session is extra, marked as asked for.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  NOT_HELD_LABELS,
  type NotEngaging,
  REQUEST_SCHOOL_DAYS,
  sessionReminderIds,
} from '../domain/engagement.js';
import { canRequestSession, canScheduleSession } from '../domain/permissions.js';
import { escalationRecipients } from '../domain/routing.js';
import { rescheduleSession as moveSession } from '../domain/session.js';
import {
  NOT_HELD_REASONS,
  type Organisation,
  type Person,
  type Session,
  type SessionRequest,
  type SupervisionContract,
} from '../domain/types.js';
import { calendarOf, loadActor, loadContract } from './context.js';
import { answersAsKeeper } from './external.js';
import { audit, dropReminders, putReminders, refreshCompliance, remindSession } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps, OutboxMessage } from './ports.js';
import { formatDate, formatDateTime } from './present.js';
import { recordIdFor } from './records.js';
import { refuseClash, replacementIdFor, roomOf } from './sessions.js';
import type { SessionCheckView, SessionRequestView } from './views.js';

const instant = z.coerce.date({ message: 'must be a date and time' });
const names = (people: Person[], ids: string[]) =>
  ids.map((id) => people.find((p) => p.id === id)?.name ?? 'a colleague');

export const NOT_HELD_CHOICES = NOT_HELD_REASONS.map((value) => ({ value, label: NOT_HELD_LABELS[value] }));

const notHeldInput = z.object({
  sessionId: z.string().min(1).max(200),
  reason: z.enum(NOT_HELD_REASONS, {
    message: 'say why it did not happen: who could not attend, a school closure, or another reason',
  }),
  note: z.string().trim().max(500, 'at most 500 characters').optional(),
  newStartsAt: instant.optional(),
});

/** "It did not happen": the session marked so, with why, and its new time booked at once. */
export const recordSessionNotHeld = useCase(
  async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
    const parsed = parseInput(notHeldInput, input);
    const ctx = await loadActor(deps, actorId);
    const session = await deps.sessions.get(parsed.sessionId);
    if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
    const contract = await loadContract(deps, ctx, session.contractId);
    // stour §4: a session supervised from outside by someone not in the school's chat is answered by its supervisee
    if (!canScheduleSession(ctx.actor, contract, ctx.org) && !(await answersAsKeeper(deps, ctx.actor, contract))) throw new Refusal();
    const now = deps.clock.now();
    const replacementId = parsed.newStartsAt
      ? await replacementIdFor(deps, ctx.org, session, parsed.newStartsAt)
      : '';
    // an attempt that stopped after the session was marked resumes where it stopped
    const resuming =
      session.status === 'missed' && session.replacedBy !== undefined && session.replacedBy === replacementId;
    if (!resuming) {
      if (session.status === 'missed')
        throw new Refusal(
          'This session is already marked as not held — type next to see the session booked now.',
        );
      if (session.status !== 'scheduled')
        throw new Refusal(
          `This session is ${session.status === 'held' ? 'recorded as held' : 'moved'} already.`,
        );
      if (session.startsAt.getTime() > now.getTime())
        throw new Refusal('This session has not started yet — move it instead (type move).');
      const record = await deps.records.latest(recordIdFor(session.id));
      if (record)
        throw new Refusal(
          'A record of this session has been started, so it took place — open it with record.',
        );
    }
    // template "intervals": the domain refuses no new time, a past one, a weekend or holiday
    const change = moveSession(
      { ...session, status: 'scheduled' },
      { newStartsAt: parsed.newStartsAt, reason: '', replacementId },
      now,
      ctx.cal,
    );
    // the cadence's future session (booked meanwhile) is replaced by the new time: one future session per contract
    const superseded = session.onRequest
      ? []
      : (await deps.sessions.byContract(contract.id)).filter(
          (s) =>
            s.status === 'scheduled' &&
            !s.onRequest &&
            s.id !== session.id &&
            s.id !== replacementId &&
            s.startsAt.getTime() > now.getTime(),
        );
    if (!resuming) {
      await refuseClash(
        deps,
        ctx.org,
        contract,
        change.replacement,
        [session.id, ...superseded.map((s) => s.id)],
        'newStartsAt',
      );
      const marked = await deps.sessions.transition(session.id, 'scheduled', 'missed', {
        replacedBy: change.replacement.id,
        notHeldReason: parsed.reason,
        statusReason: parsed.note || NOT_HELD_LABELS[parsed.reason],
        statusChangedAt: now,
      });
      if (!marked)
        throw new Refusal(
          'This session has been answered already — type next to see the session booked now.',
        );
    }
    await deps.sessions.insert({
      ...change.replacement,
      bookedAt: now,
      ...roomOf(contract),
      ...(session.onRequest ? { onRequest: true, requestId: session.requestId } : {}),
    });
    for (const s of superseded) {
      if (
        await deps.sessions.transition(s.id, 'scheduled', 'cancelled', {
          replacedBy: change.replacement.id,
          statusReason: 'rebooked after a session that did not happen',
          statusChangedAt: now,
        })
      ) {
        await dropReminders(deps, s.id, sessionReminderIds(s.id));
      }
    }
    await dropReminders(deps, session.id, sessionReminderIds(session.id));
    await audit(deps, {
      organisationId: ctx.org.id,
      actorId,
      action: 'session.not-held',
      subject: { kind: 'session', id: session.id },
      detail: { reason: parsed.reason, to: change.replacement.id },
      key: `not-held:${session.id}`,
    });
    await refreshCompliance(deps, ctx.org, contract);
    await remindSession(deps, ctx.org, contract, change.replacement.id);
    const summary = await deps.compliance.get(contract.id);
    if (summary?.notEngaging?.reason === 'missed-in-a-row') {
      await tellNotEngaging(deps, ctx.org, contract, {
        ...summary.notEngaging,
        from: summary.notEngagingFrom ?? now,
      });
    }
    const people = await deps.people.getMany([...contract.supervisorIds, ...contract.superviseeIds]);
    const by = names(people, [actorId])[0];
    const was = formatDateTime(ctx.org, session.startsAt);
    const to = formatDateTime(ctx.org, change.replacement.startsAt);
    const why = NOT_HELD_LABELS[parsed.reason].toLowerCase();
    const others = [...contract.supervisorIds, ...contract.superviseeIds].filter((id) => id !== actorId);
    await deps.outbox.enqueue(
      others.map((recipientId) => ({
        id: `not-held.${session.id}.${recipientId}`,
        organisationId: ctx.org.id,
        recipientId,
        createdAt: now,
        view: {
          type: 'text',
          text: `${by} says the supervision session of ${was} did not happen (${why}). It is rebooked for ${to}.`,
        },
      })),
    );
    return {
      ok: true,
      view: {
        type: 'text',
        text: `Noted: the session of ${was} did not happen (${why}). The new session is on ${to}; ${others.length === 1 ? 'the other party has' : 'everyone in it has'} been told.`,
      },
      data: { sessionId: change.replacement.id },
    };
  },
);

/** The people who hear that someone is not engaging: their line managers and the DSL (deputies, else the head). */
export function notEngagingRecipients(org: Organisation, people: Person[], personIds: string[]): string[] {
  const managers = personIds
    .map((id) => people.find((p) => p.id === id)?.lineManagerId)
    .filter((id): id is string => Boolean(id));
  const leads = personIds.flatMap((id) => escalationRecipients(org, id));
  return [...new Set([...managers, ...leads])].filter((id) => !personIds.includes(id));
}

/** The card to the line manager and the DSL: who, and which sessions (no free text). */
export async function notEngagingMessages(
  deps: AppDeps,
  org: Organisation,
  contract: SupervisionContract,
  engaging: NotEngaging,
): Promise<OutboxMessage[]> {
  const sessions = (await Promise.all(engaging.sessionIds.map((id) => deps.sessions.get(id)))).filter(
    (s): s is Session => s !== null,
  );
  const people = await deps.people.getMany([
    ...new Set([...contract.supervisorIds, ...contract.superviseeIds]),
  ]);
  const managerIds = people
    .filter((p) => engaging.personIds.includes(p.id))
    .map((p) => p.lineManagerId ?? '');
  const all = [...people, ...(await deps.people.getMany(managerIds.filter(Boolean)))];
  const who = names(all, engaging.personIds).join(', ');
  const withWhom = names(
    all,
    engaging.reason === 'unanswered' ? contract.superviseeIds : contract.supervisorIds,
  ).join(', ');
  const lines =
    engaging.reason === 'absent-in-a-row'
      ? [
          `${who}: absent, without apologies, from the last ${sessions.length} group supervision sessions with ${withWhom}.`,
          ...sessions.map((s) => `• ${formatDateTime(org, s.startsAt)}`),
          'They are listed as not engaging on /overdue until they attend or send apologies.',
        ]
      : engaging.reason === 'missed-in-a-row'
      ? [
          `${who}: the last ${sessions.length} supervision sessions with ${withWhom} did not happen.`,
          ...sessions.map(
            (s) =>
              `• ${formatDateTime(org, s.startsAt)} — ${s.notHeldReason ? NOT_HELD_LABELS[s.notHeldReason] : 'did not happen'}`,
          ),
          'They are listed as not engaging on /overdue until a session is held.',
        ]
      : [
          `${who} has not said whether the supervision session with ${withWhom} on ${sessions.map((s) => formatDateTime(org, s.startsAt)).join(', ')} happened, five school days on.`,
          'They are listed as not engaging on /overdue until it is answered.',
        ];
  const now = deps.clock.now();
  return notEngagingRecipients(org, all, engaging.personIds).map((recipientId) => ({
    id: `not-engaging.${contract.id}.${engaging.sessionIds.join('+')}.${recipientId}`,
    organisationId: org.id,
    recipientId,
    createdAt: now,
    view: { type: 'reminder', kind: 'not-answered', title: `Not engaging with supervision: ${who}`, lines },
  }));
}

export async function tellNotEngaging(
  deps: AppDeps,
  org: Organisation,
  contract: SupervisionContract,
  engaging: NotEngaging,
): Promise<void> {
  const messages = await notEngagingMessages(deps, org, contract, engaging);
  await deps.outbox.enqueue(messages);
  await audit(deps, {
    organisationId: org.id,
    actorId: 'system',
    action: 'contract.not-engaging',
    subject: { kind: 'contract', id: contract.id },
    detail: { reason: engaging.reason, told: messages.length },
    key: `not-engaging:${contract.id}:${engaging.sessionIds.join('+')}`,
  });
}

/** The card asking a supervisor whether a session happened, with the next free time offered for a new one. */
export async function sessionCheckView(
  deps: AppDeps,
  org: Organisation,
  contract: SupervisionContract,
  session: Session,
  again: boolean,
): Promise<SessionCheckView> {
  const cal = calendarOf(org);
  const people = await deps.people.getMany(contract.superviseeIds);
  const withNames = names(people, contract.superviseeIds);
  const startsAtText = formatDateTime(org, session.startsAt);
  const today = cal.localDate(deps.clock.now());
  const day = cal.nextSchoolDay(today);
  return {
    type: 'session-check',
    sessionId: session.id,
    title: again
      ? `Did the session of ${startsAtText} happen? (asked again)`
      : `Did the session of ${startsAtText} happen?`,
    lines: [
      `Supervision with ${withNames.join(', ')} was booked for ${startsAtText} and has no record yet.`,
      'Record it now, or say it did not happen and pick the new time — a session is never dropped without one.',
    ],
    startsAtText,
    withNames,
    again,
    date: day,
    time: DateTime.fromJSDate(session.startsAt, { zone: org.timezone }).toFormat('HH:mm'),
    reasons: NOT_HELD_CHOICES,
  };
}

// ---- sessions on request (stour App. C) --------------------------------------------------------------------

const requestInput = z.object({
  reason: z.string().trim().max(500, 'at most 500 characters').optional(),
  contractId: z.string().min(1).max(200).optional(),
});

/** `request [reason]` or "Ask for a session": the supervisor gets a card to book it within five school days. */
export const requestSession = useCase(
  async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
    const parsed = parseInput(requestInput, input ?? {});
    const ctx = await loadActor(deps, actorId);
    const contracts = (await deps.contracts.forPerson(actorId)).filter(
      (c) => c.organisationId === ctx.org.id && c.superviseeIds.includes(actorId),
    );
    const contract = parsed.contractId ? contracts.find((c) => c.id === parsed.contractId) : contracts[0];
    if (!contract) {
      if (parsed.contractId) throw new Refusal();
      throw new Refusal(
        'Only a supervisee asks for a session — you have no supervision contract as one. Your DSL can set one up.',
      );
    }
    if (!canRequestSession(ctx.actor, contract)) throw new Refusal();
    const now = deps.clock.now();
    const people = await deps.people.getMany([...contract.supervisorIds, actorId]);
    const supervisors = names(people, contract.supervisorIds).join(', ');
    const [open] = await deps.sessionRequests.openForContract(contract.id);
    if (open) {
      return {
        ok: true,
        view: {
          type: 'text',
          text: `You asked for a session on ${formatDate(ctx.org, open.requestedAt)}; ${supervisors} will book it by ${formatDate(ctx.org, open.bookBy)}.`,
        },
      };
    }
    const today = ctx.cal.localDate(now);
    const request: SessionRequest = {
      id: `req.${contract.id}.${now.getTime().toString(36)}`,
      organisationId: ctx.org.id,
      contractId: contract.id,
      requestedById: actorId,
      ...(parsed.reason ? { reason: parsed.reason } : {}),
      requestedAt: now,
      bookBy: ctx.cal.addSchoolDays(today, REQUEST_SCHOOL_DAYS),
      status: 'open',
    };
    await deps.sessionRequests.insert(request);
    const view = await sessionRequestView(deps, ctx.org, contract, request, people);
    await deps.outbox.enqueue(
      contract.supervisorIds.map((recipientId) => ({
        id: `${request.id}.ask.${recipientId}`,
        organisationId: ctx.org.id,
        recipientId,
        threadKey: `request:${request.id}`,
        createdAt: now,
        view,
      })),
    );
    // unanswered after five school days, the DSL is told
    const leads = escalationRecipients(ctx.org, actorId);
    await putReminders(deps, [
      {
        id: `request-unanswered:${request.id}`,
        organisationId: ctx.org.id,
        kind: 'request-unanswered',
        subjectId: request.id,
        recipientIds: leads,
        dueAt: ctx.cal.atLocalTime(ctx.cal.nextSchoolDay(request.bookBy), ctx.org.reminderTime),
      },
    ]);
    await audit(deps, {
      organisationId: ctx.org.id,
      actorId,
      action: 'session.requested',
      subject: { kind: 'session-request', id: request.id },
      detail: { contractId: contract.id },
    });
    return {
      ok: true,
      view: {
        type: 'text',
        text: `Asked. ${supervisors} will book a session with you by ${formatDate(ctx.org, request.bookBy)}; you will get its time here.`,
      },
      data: { requestId: request.id },
    };
  },
);

export async function sessionRequestView(
  deps: AppDeps,
  org: Organisation,
  contract: SupervisionContract,
  request: SessionRequest,
  known?: Person[],
): Promise<SessionRequestView> {
  const cal = calendarOf(org);
  const people = known ?? (await deps.people.getMany([request.requestedById]));
  const requesterName = names(people, [request.requestedById])[0] as string;
  return {
    type: 'session-request',
    requestId: request.id,
    title: `${requesterName} asks for a supervision session`,
    requesterName,
    ...(request.reason ? { reason: request.reason } : {}),
    bookByText: formatDate(org, request.bookBy),
    date: cal.nextSchoolDay(cal.localDate(deps.clock.now())),
    time: contract.preferredTime,
  };
}

const bookInput = z.object({ requestId: z.string().min(1).max(250), startsAt: instant.optional() });

/** The supervisor books the session asked for: the same rules as a move (a school day ahead, no clash). */
export const bookRequestedSession = useCase(
  async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
    const parsed = parseInput(bookInput, input);
    const ctx = await loadActor(deps, actorId);
    const request = await deps.sessionRequests.get(parsed.requestId);
    if (!request || request.organisationId !== ctx.org.id) throw new Refusal();
    const contract = await loadContract(deps, ctx, request.contractId);
    if (!canScheduleSession(ctx.actor, contract, ctx.org)) throw new Refusal();
    const now = deps.clock.now();
    const startsAt = parsed.startsAt;
    if (request.status === 'booked' && request.sessionId) {
      const booked = await deps.sessions.get(request.sessionId);
      if (!booked || booked.startsAt.getTime() !== startsAt?.getTime()) {
        throw new Refusal(
          `This session has been booked already${booked ? ` for ${formatDateTime(ctx.org, booked.startsAt)}` : ''}.`,
        );
      }
    }
    const hhmm = startsAt ? DateTime.fromJSDate(startsAt, { zone: ctx.org.timezone }).toFormat('HHmm') : '';
    const sessionId = startsAt ? `${contract.id}.${ctx.cal.localDate(startsAt)}.r${hhmm}` : '';
    const asked: Session = {
      id: `${contract.id}.request`,
      organisationId: ctx.org.id,
      contractId: contract.id,
      startsAt: now,
      durationMinutes: contract.durationMinutes,
      status: 'scheduled',
    };
    // the same rules as moving: a new time, ahead, on a school day
    const booking = moveSession(
      asked,
      { newStartsAt: startsAt, reason: '', replacementId: sessionId },
      now,
      ctx.cal,
    ).replacement;
    const session: Session = {
      ...booking,
      replaces: undefined,
      bookedAt: now,
      onRequest: true,
      requestId: request.id,
      ...roomOf(contract),
    };
    delete session.replaces;
    if (request.status === 'open') {
      await refuseClash(deps, ctx.org, contract, session, session.id);
      await deps.sessions.insert(session);
      if (!(await deps.sessionRequests.markBooked(request.id, session.id, actorId, now)))
        throw new Refusal('This session has been booked already.');
    }
    await dropReminders(deps, request.id, [`request-unanswered:${request.id}`]);
    await audit(deps, {
      organisationId: ctx.org.id,
      actorId,
      action: 'session.scheduled',
      subject: { kind: 'session', id: session.id },
      detail: { contractId: contract.id, request: request.id },
      key: `request-booked:${request.id}`,
    });
    await refreshCompliance(deps, ctx.org, contract);
    await remindSession(deps, ctx.org, contract, session.id);
    const when = formatDateTime(ctx.org, session.startsAt);
    const people = await deps.people.getMany([actorId]);
    const by = names(people, [actorId])[0];
    const others = [...contract.supervisorIds, ...contract.superviseeIds].filter((id) => id !== actorId);
    await deps.outbox.enqueue(
      others.map((recipientId) => ({
        id: `${request.id}.booked.${recipientId}`,
        organisationId: ctx.org.id,
        recipientId,
        createdAt: now,
        view: {
          type: 'text',
          text: `${by} booked the supervision session ${recipientId === request.requestedById ? 'you asked for' : 'asked for'}: ${when}, ${contract.location}.`,
        },
      })),
    );
    return {
      ok: true,
      view: {
        type: 'text',
        text: `Booked for ${when} — an extra session, on request. ${others.length === 1 ? 'The other party has' : 'Everyone in it has'} been told.`,
      },
      data: { sessionId: session.id },
    };
  },
);
