/** A session's life: scheduled → held | cancelled | missed. */
import type { SchoolCalendar } from './calendar.js';
import { DomainError } from './errors.js';
import type { LocalDate, Session } from './types.js';

/** template "intervals", in words a person reads when they try to cancel without rebooking. */
export const NEW_TIME_REQUIRED =
  'a supervision session is never changed or cancelled without a new time set at once (supervision policy, "intervals") — pick the new date and time';

function requireNewTime(session: Session, newStartsAt: Date | undefined, now: Date, cal: SchoolCalendar): Date {
  // template "intervals": dates are not changed or cancelled without an alternative time being made immediately.
  if (!newStartsAt) {
    throw new DomainError('new-time-required', NEW_TIME_REQUIRED, 'newStartsAt');
  }
  if (session.status !== 'scheduled') {
    throw new DomainError('invalid-transition', `the session is ${session.status}, not scheduled`, 'sessionId');
  }
  if (newStartsAt.getTime() <= now.getTime()) {
    throw new DomainError('invalid', 'the new time must be in the future', 'newStartsAt');
  }
  // stour §5: supervision is planned during the working day, so never in a school holiday.
  if (!cal.isSchoolDay(cal.localDate(newStartsAt))) {
    throw new DomainError('invalid', 'the new time falls on a weekend, holiday or bank holiday', 'newStartsAt');
  }
  return newStartsAt;
}

/**
 * A new time later than the day the contract's cadence says supervision is due needs a reason (template
 * "intervals": dates are planned in advance; white-laith: every four weeks at minimum). Earlier is always fine.
 */
export function requireReasonWhenLate(newDay: LocalDate, dueBy: LocalDate, reason: string | undefined, dueByText: string): void {
  if (newDay > dueBy && !reason?.trim()) {
    throw new DomainError('invalid', `the contract says the session is due by ${dueByText} — pick a day by then, or say why it must be later`, 'reason');
  }
}

/** Two sessions overlap when each starts before the other ends. */
export function overlaps(a: { startsAt: Date; durationMinutes: number }, b: { startsAt: Date; durationMinutes: number }): boolean {
  const aEnd = a.startsAt.getTime() + a.durationMinutes * 60_000;
  const bEnd = b.startsAt.getTime() + b.durationMinutes * 60_000;
  return a.startsAt.getTime() < bEnd && b.startsAt.getTime() < aEnd;
}

/**
 * The next session a confirmed record names, when it can be held then: in the future and on a school day
 * (template "intervals": the next date is planned at the session; stour §5: during the working day).
 * Otherwise undefined, and the cadence gives the next session.
 */
export function recordedNextTime(nextSessionAt: Date | undefined, now: Date, cal: SchoolCalendar): Date | undefined {
  if (!nextSessionAt || nextSessionAt.getTime() <= now.getTime()) return undefined;
  return cal.isSchoolDay(cal.localDate(nextSessionAt)) ? nextSessionAt : undefined;
}

export interface SessionChange {
  old: Session;
  replacement: Session;
}

export function rescheduleSession(
  session: Session,
  input: { newStartsAt?: Date; reason: string; replacementId: string },
  now: Date,
  cal: SchoolCalendar,
): SessionChange {
  const startsAt = requireNewTime(session, input.newStartsAt, now, cal);
  return {
    old: { ...session, status: 'cancelled', replacedBy: input.replacementId, statusChangedAt: now, statusReason: input.reason },
    replacement: {
      id: input.replacementId,
      organisationId: session.organisationId,
      contractId: session.contractId,
      startsAt,
      durationMinutes: session.durationMinutes,
      status: 'scheduled',
      replaces: session.id,
    },
  };
}

/** Cancelling is moving: the same rule applies (template "intervals"). */
export const cancelSession = rescheduleSession;

export function markHeld(session: Session, now: Date): Session {
  if (session.status === 'held') return session;
  if (session.status !== 'scheduled' && session.status !== 'missed') {
    throw new DomainError('invalid-transition', `a ${session.status} session cannot be marked held`, 'sessionId');
  }
  if (session.startsAt.getTime() > now.getTime()) {
    throw new DomainError('invalid', 'a session cannot be held before it starts', 'sessionId');
  }
  return { ...session, status: 'held', statusChangedAt: now };
}

export function markMissed(session: Session, now: Date, reason: string): Session {
  if (session.status !== 'scheduled') {
    throw new DomainError('invalid-transition', `a ${session.status} session cannot be marked missed`, 'sessionId');
  }
  return { ...session, status: 'missed', statusChangedAt: now, statusReason: reason };
}
