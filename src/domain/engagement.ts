/**
 * After a session's time: did it happen? And when a person is not engaging with supervision.
 *
 * template "intervals": a session is never dropped without a new time; template line manager (e), (j) and
 * supervisor (e): the line manager acts when a practitioner fails to engage — sessions that do not happen, or
 * a supervisor who does not say whether they did. Pure: time is passed in.
 */
import { DateTime } from 'luxon';
import type { SchoolCalendar } from './calendar.js';
import type { NotHeldReason, Organisation, Reminder, Session, SupervisionContract } from './types.js';

export const NOT_HELD_LABELS: Record<NotHeldReason, string> = {
  'supervisee-absent': 'The supervisee could not attend',
  'supervisor-absent': 'The supervisor could not attend',
  'school-closure': 'The school was closed',
  other: 'Another reason',
};

/** The "afternoon" the first question goes in: not before this local time, nor before the session ends. */
const AFTERNOON = '13:00';
/** Unanswered for this many school days, the supervisor is not engaging (template supervisor (e)). */
export const UNANSWERED_SCHOOL_DAYS = 5;
/** This many consecutive sessions of a contract that did not happen, and the supervisee is not engaging. */
export const MISSED_IN_A_ROW = 2;
/** stour App. C: a requested session is booked within five school days, else the DSL is told. */
export const REQUEST_SCHOOL_DAYS = 5;

function endOf(session: Pick<Session, 'startsAt' | 'durationMinutes'>): Date {
  return new Date(session.startsAt.getTime() + session.durationMinutes * 60_000);
}

/** The same afternoon, a quarter of an hour after it ended (and not before 13:00). */
export function firstAskAt(
  session: Pick<Session, 'startsAt' | 'durationMinutes'>,
  org: Pick<Organisation, 'timezone'>,
  cal: SchoolCalendar,
): Date {
  const ended = DateTime.fromJSDate(endOf(session), { zone: org.timezone }).plus({ minutes: 15 });
  const rounded =
    ended.minute % 15 === 0 && ended.second === 0
      ? ended
      : ended.startOf('hour').plus({ minutes: Math.ceil((ended.minute + ended.second / 60) / 15) * 15 });
  const afternoon = cal.atLocalTime(cal.localDate(session.startsAt), AFTERNOON);
  return rounded.toJSDate().getTime() > afternoon.getTime() ? rounded.toJSDate() : afternoon;
}

/**
 * The questions after a scheduled session: the same afternoon and the next school day to its supervisors,
 * and, five school days on, the line manager and the DSL when nobody has answered (recipients are chosen
 * when it fires, from the people named then).
 */
export function followUpsForSession(
  session: Pick<Session, 'id' | 'organisationId' | 'startsAt' | 'durationMinutes' | 'status'>,
  contract: Pick<SupervisionContract, 'supervisorIds'>,
  org: Pick<Organisation, 'timezone' | 'reminderTime'>,
  cal: SchoolCalendar,
): Reminder[] {
  if (session.status !== 'scheduled') return [];
  const day = cal.localDate(session.startsAt);
  const base = {
    organisationId: session.organisationId,
    subjectId: session.id,
    recipientIds: [...contract.supervisorIds],
  };
  return [
    {
      ...base,
      id: `did-it-happen:${session.id}`,
      kind: 'did-it-happen',
      dueAt: firstAskAt(session, org, cal),
    },
    {
      ...base,
      id: `did-it-happen-again:${session.id}`,
      kind: 'did-it-happen-again',
      dueAt: cal.atLocalTime(cal.nextSchoolDay(day), org.reminderTime),
    },
    {
      ...base,
      id: `not-answered:${session.id}`,
      kind: 'not-answered',
      dueAt: unansweredFrom(session, org, cal),
    },
  ];
}

/** Every reminder id a session may have, to take off the timer when it moves or its outcome is known. */
export function sessionReminderIds(sessionId: string): string[] {
  return [
    'notice',
    'agenda-prompt',
    'day-before',
    'did-it-happen',
    'did-it-happen-again',
    'not-answered',
  ].map((k) => `${k}:${sessionId}`);
}

/** The instant a session still not answered makes its supervisor "not engaging". */
export function unansweredFrom(
  session: Pick<Session, 'startsAt'>,
  org: Pick<Organisation, 'reminderTime'>,
  cal: SchoolCalendar,
): Date {
  return cal.atLocalTime(
    cal.addSchoolDays(cal.localDate(session.startsAt), UNANSWERED_SCHOOL_DAYS),
    org.reminderTime,
  );
}

export interface NotEngaging {
  reason: 'missed-in-a-row' | 'absent-in-a-row' | 'unanswered';
  /** Who is not engaging: the supervisees (sessions missed), the group members absent, or the supervisors (no answer). */
  personIds: string[];
  sessionIds: string[];
  /** From when the contract is listed as not engaging. */
  from: Date;
}

/**
 * The members of a group absent (without apologies) from each of its last two sessions held whose attendance
 * was recorded: they are not engaging with the group (issue 14 "Groups"; template line manager (j)). Being
 * present, or sending apologies, at either of them ends it.
 */
export function absentInARow(
  contract: Pick<SupervisionContract, 'superviseeIds'>,
  sessions: Array<Pick<Session, 'id' | 'startsAt' | 'status' | 'statusChangedAt' | 'attendance'>>,
): { personIds: string[]; sessionIds: string[]; from: Date } | undefined {
  const recorded = sessions
    .filter((s) => s.status === 'held' && s.attendance && s.attendance.length > 0)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
    .slice(-MISSED_IN_A_ROW);
  if (recorded.length < MISSED_IN_A_ROW) return undefined;
  const personIds = contract.superviseeIds.filter((id) => recorded.every((s) => s.attendance?.some((a) => a.personId === id && a.state === 'absent')));
  if (personIds.length === 0) return undefined;
  const last = recorded[recorded.length - 1];
  return { personIds, sessionIds: recorded.map((s) => s.id), from: last?.statusChangedAt ?? last?.startsAt ?? new Date(0) };
}

/**
 * Whether a contract's people are not engaging, from its sessions since the last one held: the last two
 * that were due did not happen, or one whose time passed has had no answer for five school days. A session
 * held ends it (template line manager (j): until supervision is happening again). `recorded` says whether a
 * session has a record started (which marks it held). In a group, a member absent from the last two sessions
 * held is not engaging until they attend or send apologies.
 */
export function notEngaging(
  contract: Pick<SupervisionContract, 'supervisorIds' | 'superviseeIds'>,
  sessions: Array<Pick<Session, 'id' | 'startsAt' | 'status' | 'statusChangedAt' | 'onRequest' | 'attendance'>>,
  org: Pick<Organisation, 'reminderTime'>,
  cal: SchoolCalendar,
): NotEngaging | undefined {
  const ordered = [...sessions]
    .filter((s) => s.status !== 'cancelled')
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  let lastHeld = -1;
  ordered.forEach((s, i) => {
    if (s.status === 'held') lastHeld = i;
  });
  const since = ordered.slice(lastHeld + 1);
  const missed = since.filter((s) => s.status === 'missed');
  if (missed.length >= MISSED_IN_A_ROW) {
    const last = missed.slice(-MISSED_IN_A_ROW);
    const from = last[last.length - 1]?.statusChangedAt ?? last[last.length - 1]?.startsAt ?? new Date(0);
    return {
      reason: 'missed-in-a-row',
      personIds: [...contract.superviseeIds],
      sessionIds: last.map((s) => s.id),
      from,
    };
  }
  const absent = absentInARow(contract, sessions);
  if (absent) return { reason: 'absent-in-a-row', ...absent };
  // a scheduled session is unanswered once its time has passed; the earliest decides
  const unanswered = since.find((s) => s.status === 'scheduled');
  if (unanswered) {
    return {
      reason: 'unanswered',
      personIds: [...contract.supervisorIds],
      sessionIds: [unanswered.id],
      from: unansweredFrom(unanswered, org, cal),
    };
  }
  return undefined;
}
