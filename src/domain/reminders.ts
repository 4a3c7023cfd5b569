/**
 * When reminders fire. All at the organisation's reminder time, local time (so the same hour across a
 * BST/GMT change), on school days (never a weekend or bank holiday), and never earlier than it is useful:
 * a week's notice arrives at most eight calendar days before its session.
 */
import { addDays, type SchoolCalendar, weekday } from './calendar.js';
import { requiredConfirmers } from './record.js';
import type {
  AgreedAction,
  CaseDecision,
  Organisation,
  RecordSheet,
  Reminder,
  Session,
  SupervisionContract,
} from './types.js';

/** stour App. C asks for "a week's notice": one that arrives earlier than this is not a week's notice. */
export const MAX_NOTICE_DAYS = 8;
/** The notice goes at least this many days ahead, so it is not the same message as the day-before reminder. */
const MIN_NOTICE_DAYS = 2;
/** The reminder "before the session" goes on the school day before, or at most this many days before. */
const MAX_DAY_BEFORE_DAYS = 4;

function weekdayNotBankHoliday(cal: SchoolCalendar, day: string): boolean {
  return weekday(day) <= 5 && !cal.isBankHoliday(day);
}

/**
 * The day a reminder goes out, in the window `[session − earliest, session − latest]` calendar days, as near
 * its mark as can be: the school day at or before the mark, else the first school day after it. PRODUCT.md
 * ("Contracts"): reminders do not land in school holidays. Only when the window holds no school day at all
 * (a session on the first day or two after a holiday) does it go on the weekday nearest the mark — a notice
 * before the holiday would be no "week's notice" (stour App. C), and one on the morning of the session
 * would be no notice at all.
 */
function dayInWindow(cal: SchoolCalendar, sessionDay: string, mark: number, earliest: number, latest: number): string | undefined {
  const days: string[] = [];
  for (let n = earliest; n >= latest; n--) days.push(addDays(sessionDay, -n));
  const markDay = addDays(sessionDay, -mark);
  const pick = (ok: (d: string) => boolean) =>
    [...days].reverse().find((d) => d <= markDay && ok(d)) ?? days.find((d) => d > markDay && ok(d));
  return pick((d) => cal.isSchoolDay(d)) ?? pick((d) => weekdayNotBankHoliday(cal, d));
}

/**
 * Every session's three reminders to every party: the week's notice, the agenda prompt with it, and the
 * reminder the school day before. A session booked after its notice would have gone (less than a week
 * ahead) gets a "booked" message and the agenda prompt at once instead (stour App. C; stour §5, §6: both
 * parties prepare the agenda); its day-before reminder still goes, unless the booking came after it too.
 */
export function remindersForSession(
  session: Pick<Session, 'id' | 'organisationId' | 'startsAt' | 'status' | 'bookedAt'>,
  contract: Pick<SupervisionContract, 'noticeDays' | 'supervisorIds' | 'superviseeIds'>,
  org: Pick<Organisation, 'reminderTime'>,
  cal: SchoolCalendar,
): Reminder[] {
  if (session.status !== 'scheduled') return [];
  const sessionDay = cal.localDate(session.startsAt);
  const parties = [...new Set([...contract.supervisorIds, ...contract.superviseeIds])];
  const noticeMark = Math.min(Math.max(contract.noticeDays, MIN_NOTICE_DAYS), MAX_NOTICE_DAYS);
  const noticeDay = dayInWindow(cal, sessionDay, noticeMark, MAX_NOTICE_DAYS, MIN_NOTICE_DAYS) as string;
  let noticeAt = cal.atLocalTime(noticeDay, org.reminderTime);
  const beforeDay = dayInWindow(cal, sessionDay, 1, MAX_DAY_BEFORE_DAYS, 1);
  const dayBefore = beforeDay ? cal.atLocalTime(beforeDay, org.reminderTime) : undefined;
  const booked = session.bookedAt !== undefined && session.bookedAt.getTime() > noticeAt.getTime();
  if (booked) noticeAt = session.bookedAt as Date;
  const base = { organisationId: session.organisationId, subjectId: session.id, recipientIds: parties };
  const reminders: Reminder[] = [
    // the id stays `notice:` whether it is a notice or a booking, so a rebuild never sends both
    { ...base, id: `notice:${session.id}`, kind: booked ? 'booked' : 'notice', dueAt: noticeAt },
    { ...base, id: `agenda-prompt:${session.id}`, kind: 'agenda-prompt', dueAt: noticeAt },
  ];
  if (dayBefore && dayBefore.getTime() >= noticeAt.getTime() && dayBefore.getTime() < session.startsAt.getTime()) {
    reminders.push({ ...base, id: `day-before:${session.id}`, kind: 'day-before', dueAt: dayBefore });
  }
  return reminders;
}

/** How a reminder addresses its readers: "you both" is only for two people (a group of four is "you all"). */
export function addressing(partyCount: number): string {
  return partyCount === 2 ? 'you both' : partyCount === 1 ? 'you' : 'you all';
}

/** Nudge the parties who have not confirmed, two school days after the record was sent. */
export function remindersForRecord(
  record: Pick<RecordSheet, 'id' | 'organisationId' | 'state' | 'submittedAt' | 'supervisorId' | 'superviseeIds' | 'confirmations'>,
  org: Pick<Organisation, 'reminderTime'>,
  cal: SchoolCalendar,
): Reminder[] {
  if (record.state !== 'awaiting-confirmation' || !record.submittedAt) return [];
  const waiting = requiredConfirmers(record).filter((id) => !record.confirmations.some((c) => c.personId === id));
  if (waiting.length === 0) return [];
  const day = cal.addSchoolDays(cal.localDate(record.submittedAt), 2);
  return [
    {
      id: `record-unsigned:${record.id}`,
      organisationId: record.organisationId,
      kind: 'record-unsigned',
      subjectId: record.id,
      recipientIds: waiting,
      dueAt: cal.atLocalTime(cal.nextSchoolDay(day, true), org.reminderTime),
    },
  ];
}

/** The school day after an action falls due, its owner is nudged. */
export function remindersForAction(
  action: Pick<AgreedAction, 'id' | 'organisationId' | 'status' | 'dueDate' | 'ownerId'>,
  org: Pick<Organisation, 'reminderTime'>,
  cal: SchoolCalendar,
): Reminder[] {
  if (action.status !== 'open') return [];
  return [
    {
      id: `action-late:${action.id}`,
      organisationId: action.organisationId,
      kind: 'action-late',
      subjectId: action.id,
      recipientIds: [action.ownerId],
      dueAt: cal.atLocalTime(cal.nextSchoolDay(action.dueDate), org.reminderTime),
    },
  ];
}

/** Hours after the deadline at which a decision still not on the child's file is put before the DSL. */
export const CASE_DECISION_DSL_AFTER_HOURS = 24;

/**
 * template "recording": chase the copy to the child's file two hours before the 24-hour deadline; still not
 * copied a day after the deadline, the DSL is told (deputies when there is no DSL, else the headteacher).
 */
export function remindersForCaseDecision(
  decision: Pick<CaseDecision, 'id' | 'copyDueAt' | 'copiedToChildFileAt' | 'followUpById'> & { organisationId: string; recordId: string },
  org?: Pick<Organisation, 'dslIds' | 'deputyDslIds' | 'headteacherId'>,
): Reminder[] {
  if (decision.copiedToChildFileAt) return [];
  const subjectId = `${decision.recordId}:${decision.id}`;
  const reminders: Reminder[] = [
    {
      id: `case-decision-copy:${subjectId}`,
      organisationId: decision.organisationId,
      kind: 'case-decision-copy',
      subjectId,
      recipientIds: [decision.followUpById],
      dueAt: new Date(decision.copyDueAt.getTime() - 2 * 3_600_000),
    },
  ];
  const leads = org ? (org.dslIds.length > 0 ? org.dslIds : org.deputyDslIds.length > 0 ? org.deputyDslIds : org.headteacherId ? [org.headteacherId] : []) : [];
  if (leads.length > 0) {
    reminders.push({
      id: `case-decision-overdue:${subjectId}`,
      organisationId: decision.organisationId,
      kind: 'case-decision-overdue',
      subjectId,
      recipientIds: leads,
      dueAt: new Date(decision.copyDueAt.getTime() + CASE_DECISION_DSL_AFTER_HOURS * 3_600_000),
    });
  }
  return reminders;
}

/** Every reminder id a case decision may have, to drop once it is copied. */
export const caseDecisionReminderIds = (recordId: string, decisionId: string) => [`case-decision-copy:${recordId}:${decisionId}`, `case-decision-overdue:${recordId}:${decisionId}`];
