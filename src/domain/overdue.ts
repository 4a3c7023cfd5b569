/** The overdue rules a DSL sees in `/overdue`, as pure functions of the data and `now`. */
import type { SchoolCalendar } from './calendar.js';
import type { AgreedAction, CaseDecision, Escalation, LocalDate, RecordSheet, SupervisionContract } from './types.js';

/** stour §5/§8: both parties agree the record; more than five school days unconfirmed is chased. */
export const RECORD_CONFIRMATION_SCHOOL_DAYS = 5;

export function recordConfirmationOverdueFrom(submittedAt: Date, cal: SchoolCalendar): Date {
  const last = cal.addSchoolDays(cal.localDate(submittedAt), RECORD_CONFIRMATION_SCHOOL_DAYS);
  return cal.startOfDay(cal.nextSchoolDay(last));
}

/** Sent and not yet signed: waiting for confirmation, or with a change asked for that is not yet settled. */
export function isUnsignedAfterSending(record: Pick<RecordSheet, 'state'>): boolean {
  return record.state === 'awaiting-confirmation' || record.state === 'disputed';
}

export function isRecordConfirmationOverdue(
  record: Pick<RecordSheet, 'state' | 'submittedAt'>,
  cal: SchoolCalendar,
  now: Date,
): boolean {
  // a change asked for keeps the record on the list until it is settled (white-laith contract)
  if (!isUnsignedAfterSending(record) || !record.submittedAt) return false;
  return now.getTime() >= recordConfirmationOverdueFrom(record.submittedAt, cal).getTime();
}

/** white-laith contract: agreed actions are reviewed; one past its due day is late. */
export function isActionLate(action: Pick<AgreedAction, 'status' | 'dueDate'>, today: LocalDate): boolean {
  return action.status === 'open' && action.dueDate < today;
}

/** white-laith B, stour App. C: the contract is reviewed annually. */
export function isReviewDue(contract: Pick<SupervisionContract, 'reviewDueDate' | 'active'>, today: LocalDate): boolean {
  return contract.active && contract.reviewDueDate < today;
}

/** template "recording": decisions go on the child's file within 24 hours. */
export const CASE_DECISION_COPY_HOURS = 24;

export function caseDecisionCopyDueAt(decidedAt: Date): Date {
  return new Date(decidedAt.getTime() + CASE_DECISION_COPY_HOURS * 3_600_000);
}

export function isCaseDecisionCopyOverdue(
  decision: Pick<CaseDecision, 'copyDueAt' | 'copiedToChildFileAt'>,
  now: Date,
): boolean {
  return decision.copiedToChildFileAt === undefined && now.getTime() > decision.copyDueAt.getTime();
}

/** template supervisee (d): risk of harm reaches the DSL at once; until acknowledged it stays on the list. */
export function isEscalationUnacknowledged(escalation: Pick<Escalation, 'acknowledgedAt'>): boolean {
  return escalation.acknowledgedAt === undefined;
}

/** School days from `from` (the first overdue moment) to `now`, counting the first day. */
export function schoolDaysOverdue(from: Date, now: Date, cal: SchoolCalendar): number {
  if (now.getTime() < from.getTime()) return 0;
  const a = cal.localDate(from);
  const b = cal.localDate(now);
  return cal.schoolDaysBetween(a, b) + (cal.isSchoolDay(a) ? 1 : 0);
}

/** Calendar days between two instants, for late actions and reviews. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000));
}
