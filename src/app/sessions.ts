/** Sessions: planned in advance from the contract, moved only with a new time, marked held. */
import { z } from 'zod';
import { proposeSessionTimes } from '../domain/cadence.js';
import { markHeld, rescheduleSession as moveSession } from '../domain/session.js';
import { canScheduleSession, isPartyToContract } from '../domain/permissions.js';
import type { Organisation, Session, SupervisionContract } from '../domain/types.js';
import { calendarOf, loadActor, loadContract } from './context.js';
import { audit, dropReminders, refreshCompliance, remindSession } from './effects.js';
import { parseInput, Refusal, type UseCaseResult, useCase } from './errors.js';
import type { AppDeps } from './ports.js';
import { formatDateTime } from './present.js';

const instant = z.coerce.date({ message: 'must be a date and time' });

/** Session ids are natural: the contract and the local day. */
export function sessionIdFor(org: Organisation, contractId: string, startsAt: Date): string {
  return `${contractId}.${calendarOf(org).localDate(startsAt)}`;
}

/** Makes sure the contract has its next session and that session's reminders (idempotent). */
export async function ensureNextSession(deps: AppDeps, org: Organisation, contract: SupervisionContract): Promise<Session | null> {
  if (!contract.active) return null;
  const now = deps.clock.now();
  let next = await deps.sessions.nextScheduled(contract.id, now);
  if (!next) {
    const last = await deps.sessions.lastHeld(contract.id);
    const [startsAt] = proposeSessionTimes(contract, now, last?.startsAt, calendarOf(org), 1);
    if (!startsAt) return null;
    const session: Session = {
      id: sessionIdFor(org, contract.id, startsAt),
      organisationId: org.id,
      contractId: contract.id,
      startsAt,
      durationMinutes: contract.durationMinutes,
      status: 'scheduled',
      bookedAt: now,
    };
    if (await deps.sessions.insert(session)) {
      await audit(deps, { organisationId: org.id, actorId: 'system', action: 'session.scheduled', subject: { kind: 'session', id: session.id }, detail: { contractId: contract.id } });
    }
    next = (await deps.sessions.get(session.id)) ?? session;
    await refreshCompliance(deps, org, contract);
  }
  if (next.status === 'scheduled') await remindSession(deps, org, contract, next.id);
  return next;
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
  const session: Session = {
    id: sessionIdFor(ctx.org, contract.id, parsed.startsAt),
    organisationId: ctx.org.id,
    contractId: contract.id,
    startsAt: parsed.startsAt,
    durationMinutes: contract.durationMinutes,
    status: 'scheduled',
    bookedAt: now,
  };
  if (await deps.sessions.insert(session)) {
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'session.scheduled', subject: { kind: 'session', id: session.id }, detail: { contractId: contract.id } });
  }
  await refreshCompliance(deps, ctx.org, contract);
  await remindSession(deps, ctx.org, contract, session.id);
  return { ok: true, view: { type: 'text', text: `Session booked for ${formatDateTime(ctx.org, parsed.startsAt)}.` } };
});

const moveInput = z.object({
  sessionId: z.string().min(1).max(200),
  newStartsAt: instant.optional(),
  reason: z.string().trim().min(1, 'say why the session is moving').max(500),
});

/** template "intervals": not changed or cancelled without an alternative time being made immediately. */
export const rescheduleSession = useCase(async (deps: AppDeps, actorId: string, input: unknown): Promise<UseCaseResult> => {
  const parsed = parseInput(moveInput, input);
  const ctx = await loadActor(deps, actorId);
  const session = await deps.sessions.get(parsed.sessionId);
  if (!session || session.organisationId !== ctx.org.id) throw new Refusal();
  const contract = await loadContract(deps, ctx, session.contractId);
  if (!canScheduleSession(ctx.actor, contract, ctx.org) && !isPartyToContract(ctx.actor, contract)) throw new Refusal();
  const replacementId = parsed.newStartsAt ? sessionIdFor(ctx.org, contract.id, parsed.newStartsAt) : '';
  const change = moveSession(session, { newStartsAt: parsed.newStartsAt, reason: parsed.reason, replacementId }, deps.clock.now(), ctx.cal);
  await deps.sessions.insert({ ...change.replacement, bookedAt: deps.clock.now() });
  const moved = await deps.sessions.transition(session.id, 'scheduled', 'cancelled', {
    replacedBy: change.replacement.id,
    statusReason: 'moved',
    statusChangedAt: change.old.statusChangedAt,
  });
  if (moved) {
    await dropReminders(deps, session.id, [`notice:${session.id}`, `agenda-prompt:${session.id}`, `day-before:${session.id}`]);
    await audit(deps, { organisationId: ctx.org.id, actorId, action: 'session.moved', subject: { kind: 'session', id: session.id }, detail: { to: change.replacement.id } });
  }
  await refreshCompliance(deps, ctx.org, contract);
  await remindSession(deps, ctx.org, contract, change.replacement.id);
  const others = [...contract.supervisorIds, ...contract.superviseeIds].filter((id) => id !== actorId);
  const text = `Your supervision session has moved to ${formatDateTime(ctx.org, change.replacement.startsAt)}.`;
  await deps.outbox.enqueue(
    others.map((recipientId) => ({ id: `moved.${session.id}.${recipientId}`, organisationId: ctx.org.id, recipientId, createdAt: deps.clock.now(), view: { type: 'text', text } })),
  );
  return { ok: true, view: { type: 'text', text: `Moved. ${text}` } };
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
export async function heldNow(deps: AppDeps, org: Organisation, contract: SupervisionContract, session: Session, actorId: string): Promise<void> {
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
  await ensureNextSession(deps, org, contract);
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
