/** A session's life: scheduled → held | cancelled | missed. */
import type { SchoolCalendar } from './calendar.js';
import { DomainError } from './errors.js';
import type { Session } from './types.js';

function requireNewTime(session: Session, newStartsAt: Date | undefined, now: Date, cal: SchoolCalendar): Date {
  // template "intervals": dates are not changed or cancelled without an alternative time being made immediately.
  if (!newStartsAt) {
    throw new DomainError('new-time-required', 'give the new date and time when you move or cancel a session', 'newStartsAt');
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
