/**
 * When reminders fire. All at the organisation's reminder time, local time (so the same hour across a
 * BST/GMT change), and never on a weekend, holiday or bank holiday: one that would is brought forward to
 * the previous school day.
 */
import { addDays, type SchoolCalendar } from './calendar.js';
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

function onSchoolDayBefore(cal: SchoolCalendar, day: string, time: string): Date {
  return cal.atLocalTime(cal.previousSchoolDay(day, true), time);
}

export function remindersForSession(
  session: Pick<Session, 'id' | 'organisationId' | 'startsAt' | 'status'>,
  contract: Pick<SupervisionContract, 'noticeDays' | 'supervisorIds' | 'superviseeIds'>,
  org: Pick<Organisation, 'reminderTime'>,
  cal: SchoolCalendar,
): Reminder[] {
  if (session.status !== 'scheduled') return [];
  const sessionDay = cal.localDate(session.startsAt);
  const parties = [...contract.supervisorIds, ...contract.superviseeIds];
  // stour App. C: a week's notice so the supervisor can prepare; stour §5/§6: both parties prepare the agenda.
  const noticeAt = onSchoolDayBefore(cal, addDays(sessionDay, -contract.noticeDays), org.reminderTime);
  const dayBefore = cal.atLocalTime(cal.previousSchoolDay(sessionDay), org.reminderTime);
  const base = { organisationId: session.organisationId, subjectId: session.id };
  const reminders: Reminder[] = [
    { ...base, id: `notice:${session.id}`, kind: 'notice', recipientIds: parties, dueAt: noticeAt },
    { ...base, id: `agenda-prompt:${session.id}`, kind: 'agenda-prompt', recipientIds: parties, dueAt: noticeAt },
  ];
  if (dayBefore.getTime() > noticeAt.getTime() && dayBefore.getTime() < session.startsAt.getTime()) {
    reminders.push({ ...base, id: `day-before:${session.id}`, kind: 'day-before', recipientIds: parties, dueAt: dayBefore });
  }
  return reminders;
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
