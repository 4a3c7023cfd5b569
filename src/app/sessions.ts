/** Sessions: planned in advance from the contract, moved only with a new time, marked held. */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { type BookingPlan, bookingKeyFor, LATEST_START, lastHeldSession, nextCadenceSession, planNextSession, SLOT_STEP_MS, Timetable } from '../domain/booking.js';
import { isBookingHeld } from '../domain/agreement.js';
import { sessionDueBy } from '../domain/cadence.js';
import { sessionReminderIds } from '../domain/engagement.js';
import { markHeld, overlaps, recordedNextTime, requireReasonWhenLate, rescheduleSession as moveSession } from '../domain/session.js';
import { canScheduleSession, isPartyToContract } from '../domain/permissions.js';
import type { Organisation, Session, SupervisionContract } from '../domain/types.js';
import { inviteFor, invitesFor } from './calendar.js';
import { calendarOf, loadActor, loadContract } from './context.js';
import { audit, dropReminders, refreshCompliance, remindSession } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase, ValidationError } from './errors.js';
import type { AppDeps } from './ports.js';
import { hasYearDates, nextYearDatesWanted, schoolYear, schoolYearOf } from '../domain/school-year.js';
import { formatDate, formatDateTime } from './present.js';

const instant = z.coerce.date({ message: 'must be a date and time' });

/** Session ids are natural: the contract and the local day. */
export function sessionIdFor(org: Organisation, contractId: string, startsAt: Date): string {
  return `${contractId}.${calendarOf(org).localDate(startsAt)}`;
}

/** Makes sure the contract has its next session and that session's reminders (idempotent). */
export async function ensureNextSession(deps: AppDeps, org: Organisation, contract: SupervisionContract, preferred?: Date): Promise<Session | null> {
  if (!contract.active) return null;
  // waiting for signatures: booked when the last party agrees, or when the DSL starts it early
  if (isBookingHeld(contract)) return null;
  const now = deps.clock.now();
  const sessions = await deps.sessions.byContract(contract.id);
  // stour App. C: a session booked on request is extra; the cadence still has its one future session
  let next = nextCadenceSession(sessions, now) ?? null;
  if (!next) {
    const plan = await clashFreePlan(deps, org, contract, { now, lastHeldAt: lastHeldSession(sessions)?.startsAt, preferred }, []);
    // never into a school year with no term dates: the administrators and the DSL are asked for them instead
    if (plan.kind === 'no-term-dates') await askForTermDates(deps, org, plan.year);
    if (plan.kind !== 'book') return null;
    const session: Session = {
      id: sessionIdFor(org, contract.id, plan.startsAt),
      organisationId: org.id,
      contractId: contract.id,
      startsAt: plan.startsAt,
      durationMinutes: contract.durationMinutes,
      status: 'scheduled',
      bookedAt: now,
      bookingKey: bookingKeyFor(contract.id, sessions.length),
      ...roomOf(contract),
    };
    if (await deps.sessions.insert(session)) {
      await audit(deps, { organisationId: org.id, actorId: 'system', action: 'session.scheduled', subject: { kind: 'session', id: session.id }, detail: { contractId: contract.id } });
      next = session;
    } else {
      // another booker read the same sessions and booked first (same id or same booking key): theirs is the one
      next = nextCadenceSession(await deps.sessions.byContract(contract.id), now) ?? (await deps.sessions.get(session.id));
    }
    await refreshCompliance(deps, org, contract);
  }
  if (next?.status === 'scheduled') await remindSession(deps, org, contract, next.id);
  return next;
}

/**
 * The contract's next time (the one asked for, else the cadence's), moved off the supervisor's other booked
 * sessions and the room's to the first free time that day or on the next school days, as the start-up pass
 * books. `ignoreIds`: sessions that are being replaced.
 */
async function clashFreePlan(
  deps: AppDeps,
  org: Organisation,
  contract: SupervisionContract,
  input: { now: Date; lastHeldAt?: Date; preferred?: Date },
  ignoreIds: string[],
): Promise<BookingPlan> {
  const cal = calendarOf(org);
  const plan = planNextSession(contract, input, cal, org.termDates);
  if (plan.kind !== 'book') return plan;
  const { room } = roomOf(contract);
  const timetable = new Timetable();
  // the search may run five school days on, so two calendar weeks of the room's bookings are read
  for (const s of await busyAround(deps, org, contract, plan.startsAt, ignoreIds, 14)) {
    if (s.why === 'supervisor') timetable.add(s, contract.supervisorIds);
    else timetable.add(s, [], room);
  }
  // from the time already decided: the cadence is not worked out again
  return planNextSession(contract, { ...input, preferred: plan.startsAt, room, timetable }, cal, org.termDates);
}

/** A session asked for in a school year the calendar has no term dates for is refused, naming the year. */
function refuseYearWithoutDates(org: Organisation, day: string, field?: string): void {
  const year = schoolYearOf(day);
  if (hasYearDates(org.termDates, year)) return;
  const words = `There are no term dates for ${schoolYear(year).label} yet, so nothing can be booked then. Your school’s administrator or DSL can enter them in the dashboard.`;
  throw field ? new ValidationError(field, words, words) : new Refusal(words);
}

/** The Monday of the week `day` (a local date) falls in: messages sent at most weekly are keyed by it. */
export function weekOf(day: string): string {
  return DateTime.fromISO(day, { zone: 'utc' }).startOf('week').toISODate() ?? day;
}

/** The school's administrators and its DSLs: who is asked for term dates. */
async function termDatesRecipients(deps: AppDeps, org: Organisation): Promise<string[]> {
  const people = await deps.people.byOrganisation(org.id);
  return [...new Set([...people.filter((p) => p.roles.includes('admin') && p.active !== false).map((p) => p.id), ...org.dslIds])];
}

/**
 * Tells the administrators and the DSL that a session could not be scheduled because the year has no term
 * dates: at most once a week each (the outbox id names the year and the week, so a second ask that week is the
 * same message), however many contracts are waiting for them.
 */
export async function askForTermDates(deps: AppDeps, org: Organisation, year: number): Promise<void> {
  const recipients = await termDatesRecipients(deps, org);
  const label = schoolYear(year).label;
  const view = {
    type: 'text' as const,
    text: `Supervision sessions are due in ${label}, but there are no term dates for ${label} yet, so none has been booked. Please enter the six half terms and INSET days in the dashboard (Term dates), or import your council’s .ics file.`,
  };
  const now = deps.clock.now();
  const week = weekOf(calendarOf(org).localDate(now));
  await deps.outbox.enqueue(recipients.map((recipientId) => ({ id: `term-dates-missing.${org.id}.${year}.${week}.${recipientId}`, organisationId: org.id, recipientId, threadKey: `term-dates:${year}`, createdAt: now, view })));
}

/** Which organisation was asked for which year in which week, by this process: the sweep reads people only once a week. */
const askedThisWeek = new WeakMap<AppDeps, Map<string, string>>();

/**
 * From the summer half term on, while next school year's term dates are not in, the administrators and the DSL
 * are asked for them in chat: once, then weekly (the outbox id names the year and the week). Run by the
 * workers' sweep; the setup checklist says the same.
 */
export async function askForNextYearDates(deps: AppDeps, org: Organisation): Promise<boolean> {
  const today = calendarOf(org).localDate(deps.clock.now());
  const year = nextYearDatesWanted(org.termDates, today);
  if (year === undefined) return false;
  const week = weekOf(today);
  const key = `${year}.${week}`;
  const asked = askedThisWeek.get(deps) ?? new Map<string, string>();
  askedThisWeek.set(deps, asked);
  if (asked.get(org.id) === key) return false;
  const recipients = await termDatesRecipients(deps, org);
  const label = schoolYear(year).label;
  const view = {
    type: 'text' as const,
    text: `Next school year’s term dates are not in yet. Please enter the six half terms and INSET days for ${label} in the dashboard (Term dates), or import your council’s .ics file: no supervision session can be booked in ${label} until they are.`,
  };
  const now = deps.clock.now();
  await deps.outbox.enqueue(recipients.map((recipientId) => ({ id: `term-dates-next.${org.id}.${year}.${week}.${recipientId}`, organisationId: org.id, recipientId, threadKey: `term-dates-next:${year}`, createdAt: now, view })));
  asked.set(org.id, key);
  return true;
}

const scheduleInput = z.object({ contractId: z.string().min(1).max(200), startsAt: instant.optional() });

export const scheduleSession = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(scheduleInput, input);
  const ctx = await loadActor(deps, actorId);
  const contract = await loadContract(deps, ctx, parsed.contractId);
  if (!canScheduleSession(ctx.actor, contract, ctx.org)) throw new Refusal();
  if (!parsed.startsAt) {
    const next = await ensureNextSession(deps, ctx.org, contract);
    return { ok: true, view: { type: 'text', text: next ? `Next session: ${formatDateTime(ctx.org, next.startsAt)}.` : 'This contract is not active.' } };
  }
  const now = deps.clock.now();
  if (parsed.startsAt.getTime() <= now.getTime()) throw new Refusal('The session must be in the future.');
  if (!ctx.cal.isSchoolDay(ctx.cal.localDate(parsed.startsAt))) {
    throw new Refusal('That day is a weekend, holiday or bank holiday — pick a school day.');
  }
  refuseYearWithoutDates(ctx.org, ctx.cal.localDate(parsed.startsAt));
  const session: Session = {
    id: sessionIdFor(ctx.org, contract.id, parsed.startsAt),
    organisationId: ctx.org.id,
    contractId: contract.id,
    startsAt: parsed.startsAt,
    durationMinutes: contract.durationMinutes,
    status: 'scheduled',
    bookedAt: now,
    ...roomOf(contract),
  };
  // a supervisor cannot be in two sessions at once: the person booking is told, and offered the next free time
  await refuseClash(deps, ctx.org, contract, session, session.id);
  if (await deps.sessions.insert(session)) {
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'session.scheduled', subject: { kind: 'session', id: session.id }, detail: { contractId: contract.id } });
  }
  await refreshCompliance(deps, ctx.org, contract);
  await remindSession(deps, ctx.org, contract, session.id);
  return { ok: true, view: { type: 'text', text: `Session booked for ${formatDateTime(ctx.org, parsed.startsAt)}.`, invite: await inviteFor(deps, ctx.actor, 'session', session.id) } };
});

const moveInput = z.object({
  sessionId: z.string().min(1).max(200),
  newStartsAt: instant.optional(),
  reason: z.string().trim().max(500, 'at most 500 characters').optional(),
  /** "Cancel and rebook": the same change, said as a cancellation. */
  cancel: z.boolean().optional(),
});

/** A moved session's new id: the contract and day, or with the time when that day's id is taken by another. */
export async function replacementIdFor(deps: AppDeps, org: Organisation, session: Session, startsAt: Date): Promise<string> {
  const base = sessionIdFor(org, session.contractId, startsAt);
  const hhmm = DateTime.fromJSDate(startsAt, { zone: org.timezone }).toFormat('HHmm');
  for (const id of [base, `${base}.${hhmm}`, `${base}.${hhmm}.${session.id.slice(-24).replace(/[^A-Za-z0-9-]/g, '')}`]) {
    const existing = await deps.sessions.get(id);
    if (!existing || (existing.replaces === session.id && existing.startsAt.getTime() === startsAt.getTime())) return id;
  }
  return `${base}.${hhmm}.${deps.clock.now().getTime().toString(36)}`;
}

/** The room a face-to-face session takes (its contract's location), as one key for every spelling of it. */
export function roomOf(contract: Pick<SupervisionContract, 'location' | 'format'>): { room?: string } {
  const room = contract.format === 'face-to-face' ? contract.location.trim().toLowerCase().replace(/\s+/g, ' ') : '';
  return room ? { room } : {};
}

/** A time a session could take: who is in it and where. */
type Candidate = { startsAt: Date; durationMinutes: number };

/**
 * The booked sessions a new time must not overlap, on the days around it: the supervisor's (a person cannot be
 * in two sessions at once) and the room's, when the session has one (two sessions cannot share a room).
 */
async function busyAround(deps: AppDeps, org: Organisation, contract: SupervisionContract, around: Date, ignoreIds: string[], daysAfter = 5): Promise<Array<Session & { why: 'supervisor' | 'room' }>> {
  const busy: Array<Session & { why: 'supervisor' | 'room' }> = [];
  const seen = new Set<string>();
  for (const personId of contract.supervisorIds) {
    for (const other of await deps.contracts.forPerson(personId)) if (other.active) seen.add(other.id);
  }
  // every contract the supervisors hold, in one read
  for (const s of seen.size ? await deps.sessions.byContracts([...seen]) : []) {
    if (!ignoreIds.includes(s.id) && s.status === 'scheduled') busy.push({ ...s, why: 'supervisor' });
  }
  const { room } = roomOf(contract);
  if (room) {
    // from the day before: a clash, and the next free slot on the same or the following school days
    const from = new Date(around.getTime() - 86_400_000);
    const to = new Date(around.getTime() + daysAfter * 86_400_000);
    for (const s of await deps.sessions.scheduledInRoom(org.id, room, from, to)) {
      if (!ignoreIds.includes(s.id) && !seen.has(s.contractId)) busy.push({ ...s, why: 'room' });
    }
  }
  return busy;
}

/** The next time, from the one asked for, that is free: on the same school day, else the next school day. */
function nextFreeSlot(org: Organisation, contract: SupervisionContract, from: Date, durationMinutes: number, busy: Session[]): Date | null {
  const cal = calendarOf(org);
  const day = cal.localDate(from);
  const days = [day, cal.nextSchoolDay(day)];
  for (const d of days) {
    const start = d === day ? from : cal.atLocalTime(d, contract.preferredTime);
    const close = cal.atLocalTime(d, LATEST_START);
    for (let t = start.getTime(); t <= close.getTime(); t += SLOT_STEP_MS) {
      const candidate = { startsAt: new Date(t), durationMinutes };
      if (!busy.some((s) => overlaps(s, candidate))) return candidate.startsAt;
    }
  }
  return null;
}

/**
 * Refuses a time that overlaps another of the supervisor's sessions, or another session in the same room,
 * naming the next free time.
 */
export async function refuseClash(deps: AppDeps, org: Organisation, contract: SupervisionContract, candidate: Candidate, ignore: string | string[], field = 'startsAt', label?: string): Promise<void> {
  const busy = await busyAround(deps, org, contract, candidate.startsAt, typeof ignore === 'string' ? [ignore] : ignore);
  const first = busy.filter((s) => overlaps(s, candidate)).sort((a, b) => (a.why === b.why ? 0 : a.why === 'supervisor' ? -1 : 1))[0];
  if (!first) return;
  const free = nextFreeSlot(org, contract, candidate.startsAt, candidate.durationMinutes, busy);
  const offer = free ? ` The next free time is ${formatDateTime(org, free)}.` : ' There is no free time that day or the next school day — pick another day.';
  const what =
    first.why === 'supervisor'
      ? `another supervision session the supervisor has at ${formatDateTime(org, first.startsAt)}`
      : `another supervision session in ${contract.location.trim()} at ${formatDateTime(org, first.startsAt)}`;
  const message = `that time clashes with ${what}.${offer}`;
  throw new ValidationError(field, message, label ? `${label}: ${message}` : undefined);
}

/**
 * Moving a session — and cancelling it, which is only ever "cancel and rebook" (template "intervals": dates are
 * not changed or cancelled without an alternative time being made immediately). A later day than the cadence
 * allows needs a reason; a time that clashes with another of the supervisor's sessions is refused with the
 * next free time offered. Both parties are told; the reminders and the calendar feed move with it.
 */
export const rescheduleSession = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(moveInput, input);
  const ctx = await loadActor(deps, actorId);
  const session = await deps.sessions.get(parsed.sessionId);
  if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, session.contractId);
  if (!canScheduleSession(ctx.actor, contract, ctx.org) && !isPartyToContract(ctx.actor, contract)) throw new Refusal();
  const now = deps.clock.now();
  const replacementId = parsed.newStartsAt ? await replacementIdFor(deps, ctx.org, session, parsed.newStartsAt) : '';
  // an attempt that stopped after the old session was cancelled resumes where it stopped
  const resuming = session.status === 'cancelled' && session.replacedBy !== undefined && session.replacedBy === replacementId;
  if (!resuming && session.status === 'cancelled' && session.replacedBy) {
    throw new Refusal('This session has already been moved — type next to see the session booked now.');
  }
  // a session whose time has passed is answered, not moved: "did it happen?" books its new time and replaces the
  // cadence's session booked meanwhile, so the contract keeps one future session
  if (!resuming && session.status === 'scheduled' && session.startsAt.getTime() <= now.getTime()) {
    throw new Refusal(`The session of ${formatDateTime(ctx.org, session.startsAt)} has already started — say whether it happened instead: Record it, or It did not happen with the new time.`);
  }
  if (parsed.newStartsAt) refuseYearWithoutDates(ctx.org, ctx.cal.localDate(parsed.newStartsAt), 'newStartsAt');
  const change = moveSession(resuming ? { ...session, status: 'scheduled' } : session, { newStartsAt: parsed.newStartsAt, reason: parsed.reason ?? '', replacementId }, now, ctx.cal);
  if (!resuming) {
    const last = await deps.sessions.lastHeld(contract.id);
    const dueBy = sessionDueBy(contract, last ? ctx.cal.localDate(last.startsAt) : undefined, ctx.cal);
    requireReasonWhenLate(ctx.cal.localDate(change.replacement.startsAt), dueBy, parsed.reason, formatDate(ctx.org, dueBy));
    await refuseClash(deps, ctx.org, contract, change.replacement, session.id, 'newStartsAt');
    // the old session's status is the arbiter: one move wins, a second is told the session has moved already
    const moved = await deps.sessions.transition(session.id, 'scheduled', 'cancelled', {
      replacedBy: change.replacement.id,
      statusReason: parsed.reason || (parsed.cancel ? 'cancelled and rebooked' : 'moved'),
      statusChangedAt: now,
    });
    if (!moved) throw new Refusal('This session has already been moved or cancelled — type next to see the session booked now.');
  }
  await deps.sessions.insert({ ...change.replacement, bookedAt: now, ...roomOf(contract), ...(session.onRequest ? { onRequest: true, requestId: session.requestId } : {}) });
  await dropReminders(deps, session.id, sessionReminderIds(session.id));
  await audit(deps, {
    organisationId: ctx.org.id,
    actorId,
    action: 'session.moved',
    subject: { kind: 'session', id: session.id },
    detail: { to: change.replacement.id, cancelled: parsed.cancel === true },
    key: `moved:${session.id}`,
  });
  await refreshCompliance(deps, ctx.org, contract);
  await remindSession(deps, ctx.org, contract, change.replacement.id);
  const people = await deps.people.getMany([actorId]);
  const by = people[0]?.name ?? 'a colleague';
  const was = formatDateTime(ctx.org, session.startsAt);
  const to = formatDateTime(ctx.org, change.replacement.startsAt);
  const told = parsed.cancel
    ? `${by} cancelled the supervision session of ${was} and rebooked it for ${to}.`
    : `${by} moved the supervision session of ${was} to ${to}.`;
  const others = [...contract.supervisorIds, ...contract.superviseeIds].filter((id) => id !== actorId);
  const because = parsed.reason ? ` The reason given: ${parsed.reason}` : '';
  const invites = await invitesFor(deps, ctx.org.id, [...others, actorId], 'session', change.replacement.id);
  await deps.outbox.enqueue(
    others.map((recipientId) => ({ id: `moved.${session.id}.${recipientId}`, organisationId: ctx.org.id, recipientId, createdAt: now, view: { type: 'text', text: `${told}${because}`, ...(because ? { withoutContent: `${told} A reason was given.` } : {}), invite: invites.get(recipientId) } })),
  );
  const mine = parsed.cancel ? `Cancelled the session of ${was} and rebooked it for ${to}.` : `Moved. Your supervision session is now on ${to}.`;
  return { ok: true, view: { type: 'text', text: `${mine} ${others.length === 1 ? 'The other party has' : 'Everyone in it has'} been told.`, invite: invites.get(actorId) }, data: { sessionId: change.replacement.id } };
});

const heldInput = z.object({ sessionId: z.string().min(1).max(200) });

export const markSessionHeld = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(heldInput, input);
  const ctx = await loadActor(deps, actorId);
  const session = await deps.sessions.get(parsed.sessionId);
  if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, session.contractId);
  if (!isPartyToContract(ctx.actor, contract)) throw new Refusal();
  await heldNow(deps, ctx.org, contract, session, actorId);
  return { ok: true, view: { type: 'text', text: 'Session marked as held.' } };
});

/** A session that took place: parked items join it, compliance moves on, the next one is arranged. */
export async function heldNow(deps: AppDeps, org: Organisation, contract: SupervisionContract, session: Session, actorId: string, nextAt?: Date): Promise<void> {
  const now = deps.clock.now();
  if (session.status !== 'held') {
    markHeld(session, now);
    const changed = await deps.sessions.transition(session.id, session.status, 'held', { statusChangedAt: now });
    if (changed) {
      await audit(deps, { organisationId: org.id, actorId, action: 'session.held', subject: { kind: 'session', id: session.id }, detail: {} });
    }
  }
  await deps.agenda.attachParked(contract.id, session.id);
  await refreshCompliance(deps, org, contract);
  const named = recordedNextTime(nextAt, now, calendarOf(org));
  await ensureNextSession(deps, org, contract, named);
  if (!session.onRequest) await replanBookedMeanwhile(deps, org, contract, session, named);
}

/**
 * While a session's time had passed with no answer, the start-up pass or a contract change may have booked the
 * cadence's next session from the last session held before it (so: at once). Once that session is held, the next
 * one is the one its record names, else the cadence's from it: the session booked meanwhile moves there, with
 * its reminders, and the parties are told. A session a person booked or moved is left as it is.
 */
async function replanBookedMeanwhile(deps: AppDeps, org: Organisation, contract: SupervisionContract, held: Session, named: Date | undefined): Promise<void> {
  const now = deps.clock.now();
  const current = nextCadenceSession(await deps.sessions.byContract(contract.id), now);
  if (!current?.bookingKey || !current.bookedAt || current.bookedAt.getTime() < held.startsAt.getTime()) return;
  const plan = await clashFreePlan(deps, org, contract, { now, lastHeldAt: held.startsAt, preferred: named }, [current.id]);
  if (plan.kind !== 'book' || plan.startsAt.getTime() === current.startsAt.getTime()) return;
  const at = plan.startsAt;
  await moveBySystem(deps, org, contract, current, at, {
    reason: 'planned from the session held',
    key: `held:${held.id}`,
    text: `Your next supervision session is now ${formatDateTime(org, at)}: the session of ${formatDateTime(org, held.startsAt)} took place, so the next follows from it.`,
  });
}

/** The system moves a contract's next session (its old one cancelled and replaced, reminders moved, parties told). */
async function moveBySystem(
  deps: AppDeps,
  org: Organisation,
  contract: SupervisionContract,
  current: Session,
  at: Date,
  why: { reason: string; key: string; text: string; record?: string },
): Promise<void> {
  const now = deps.clock.now();
  const replacement: Session = {
    id: await replacementIdFor(deps, org, current, at),
    organisationId: org.id,
    contractId: contract.id,
    startsAt: at,
    durationMinutes: current.durationMinutes,
    status: 'scheduled',
    replaces: current.id,
    bookedAt: now,
    ...roomOf(contract),
  };
  const moved = await deps.sessions.transition(current.id, 'scheduled', 'cancelled', { replacedBy: replacement.id, statusReason: why.reason, statusChangedAt: now });
  if (!moved) return;
  await deps.sessions.insert(replacement);
  await dropReminders(deps, current.id, sessionReminderIds(current.id));
  await audit(deps, { organisationId: org.id, actorId: 'system', action: 'session.moved', subject: { kind: 'session', id: current.id }, detail: { to: replacement.id, ...(why.record ? { record: why.record } : {}) }, key: `moved:${current.id}` });
  await refreshCompliance(deps, org, contract);
  await remindSession(deps, org, contract, replacement.id);
  const parties = [...contract.supervisorIds, ...contract.superviseeIds];
  const invites = await invitesFor(deps, org.id, parties, 'session', replacement.id);
  await deps.outbox.enqueue(
    parties.map((recipientId) => ({ id: `next.${why.key}.${recipientId}`, organisationId: org.id, recipientId, createdAt: now, view: { type: 'text' as const, text: why.text, invite: invites.get(recipientId) } })),
  );
}

/**
 * A signed record names the next session: that time is the contract's one future session when it is a school-day
 * time still ahead (the session already booked moves to it, with its reminders); otherwise the cadence's stays.
 */
export async function honourRecordedNext(deps: AppDeps, org: Organisation, contract: SupervisionContract, nextSessionAt: Date | undefined, recordId: string): Promise<void> {
  const now = deps.clock.now();
  const at = recordedNextTime(nextSessionAt, now, calendarOf(org));
  if (!at) return;
  // a session booked on request is extra: the record names the cadence's next session
  const current = nextCadenceSession(await deps.sessions.byContract(contract.id), now);
  if (!current) {
    await ensureNextSession(deps, org, contract, at);
    return;
  }
  if (current.startsAt.getTime() === at.getTime()) return;
  // the time named may have been taken since the record was written: the first free time from it, never on top
  const plan = await clashFreePlan(deps, org, contract, { now, preferred: at }, [current.id]);
  const free = plan.kind === 'book' ? plan.startsAt : at;
  if (current.startsAt.getTime() === free.getTime()) return;
  await moveBySystem(deps, org, contract, current, free, {
    reason: 'as the record names',
    key: recordId,
    record: recordId,
    text:
      free.getTime() === at.getTime()
        ? `Your next supervision session is booked for ${formatDateTime(org, at)}, as the signed record says.`
        : `Your next supervision session is booked for ${formatDateTime(org, free)}: the signed record names ${formatDateTime(org, at)}, but the supervisor or the room already has a session then.`,
  });
}

/** A new or changed contract: stored, its compliance summary current, its next session arranged. */
export async function saveContract(deps: AppDeps, org: Organisation, contract: SupervisionContract): Promise<void> {
  await deps.contracts.upsert(contract);
  await refreshCompliance(deps, org, contract);
  await ensureNextSession(deps, org, contract);
}

const remindersInput = z.object({ contractId: z.string().min(1).max(200) });

/** For a contract: its next session and that session's reminders exist. */
export const scheduleReminders = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(remindersInput, input);
  const ctx = await loadActor(deps, actorId);
  const contract = await loadContract(deps, ctx, parsed.contractId);
  if (!canScheduleSession(ctx.actor, contract, ctx.org)) throw new Refusal();
  const next = await ensureNextSession(deps, ctx.org, contract);
  return { ok: true, view: { type: 'text', text: next ? `Reminders set for ${formatDateTime(ctx.org, next.startsAt)}.` : 'No session to remind.' } };
});
