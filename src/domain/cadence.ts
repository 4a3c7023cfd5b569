/**
 * When supervision is due under a contract's cadence, and when it becomes overdue.
 *
 * Calendar cadences (weekly, every N weeks, monthly, yearly) count calendar time from the last session held;
 * a due day that falls outside term moves to the next school day, because sessions are held "during the
 * working day" (stour §5). Term-relative cadences count only term time: half-termly is one session in each
 * half term (loughton §3), termly one in each term (loughton §5). Grace is counted in school days.
 */
import { DateTime } from 'luxon';
import { addDays, type SchoolCalendar } from './calendar.js';
import type { Cadence, LocalDate, SupervisionContract } from './types.js';

function addCalendar(day: LocalDate, cadence: Cadence): LocalDate | undefined {
  const d = DateTime.fromISO(day, { zone: 'utc' });
  switch (cadence.kind) {
    case 'weekly':
      return addDays(day, 7);
    case 'every-n-weeks':
      return addDays(day, 7 * cadence.weeks);
    case 'monthly':
      return d.plus({ months: 1 }).toISODate() as LocalDate;
    case 'yearly':
      return d.plus({ years: 1 }).toISODate() as LocalDate;
    default:
      return undefined;
  }
}

/** The last day the next session may be held on. */
export function sessionDueBy(
  contract: Pick<SupervisionContract, 'cadence' | 'startDate'>,
  lastHeld: LocalDate | undefined,
  cal: SchoolCalendar,
): LocalDate {
  const cadence = contract.cadence;
  if (cadence.kind === 'half-termly' || cadence.kind === 'termly') {
    const base = lastHeld ?? contract.startDate;
    const current = cal.halfTermOnOrAfter(base);
    if (!current) return cal.nextSchoolDay(addCalendar(base, { kind: 'every-n-weeks', weeks: 7 }) ?? base, true);
    if (cadence.kind === 'half-termly') {
      // loughton §3: the safeguarding team meets every half term — first contract half term, then each next one.
      if (lastHeld === undefined || cal.halfTermOf(lastHeld) === undefined) return current.end;
      const next = cal.halfTermAfter(current);
      return next ? next.end : cal.nextSchoolDay(addDays(current.end, 49), true);
    }
    // loughton §5: termly supervision for the DSL with the headteacher.
    if (lastHeld === undefined || cal.halfTermOf(lastHeld) === undefined) return cal.termEnd(current);
    const nextTerm = cal.nextTermStart(current);
    return nextTerm ? cal.termEnd(nextTerm) : cal.nextSchoolDay(addDays(cal.termEnd(current), 91), true);
  }
  const due = addCalendar(lastHeld ?? contract.startDate, cadence) as LocalDate;
  return cal.nextSchoolDay(due, true);
}

/** The instant after which supervision under the contract is overdue. */
export function sessionOverdueFrom(
  contract: Pick<SupervisionContract, 'cadence' | 'startDate'>,
  lastHeldAt: Date | undefined,
  cal: SchoolCalendar,
  graceDays: number,
): Date {
  const lastHeld = lastHeldAt ? cal.localDate(lastHeldAt) : undefined;
  const dueBy = sessionDueBy(contract, lastHeld, cal);
  const lastAllowed = cal.addSchoolDays(dueBy, Math.max(0, graceDays));
  return cal.startOfDay(cal.nextSchoolDay(lastAllowed));
}

export function isSessionOverdue(
  contract: Pick<SupervisionContract, 'cadence' | 'startDate'>,
  lastHeldAt: Date | undefined,
  cal: SchoolCalendar,
  graceDays: number,
  now: Date,
): boolean {
  return now.getTime() >= sessionOverdueFrom(contract, lastHeldAt, cal, graceDays).getTime();
}

/**
 * Future session times for a contract: on school days, at the contract's preferred local time, following
 * the cadence. Each proposal is the latest school day that keeps the session within its due day, and never
 * earlier than the day after `after`.
 */
export function proposeSessionTimes(
  contract: Pick<SupervisionContract, 'cadence' | 'startDate' | 'preferredTime'>,
  after: Date,
  lastHeldAt: Date | undefined,
  cal: SchoolCalendar,
  count: number,
): Date[] {
  const proposals: Date[] = [];
  let last = lastHeldAt ? cal.localDate(lastHeldAt) : undefined;
  const earliest = cal.nextSchoolDay(cal.localDate(after));
  for (let i = 0; i < count; i++) {
    const due = sessionDueBy(contract, last, cal);
    let day = cal.previousSchoolDay(due, true);
    if (day < earliest) day = earliest;
    if (last !== undefined && day <= last) day = cal.nextSchoolDay(last);
    proposals.push(cal.atLocalTime(day, contract.preferredTime));
    last = day;
  }
  return proposals;
}
