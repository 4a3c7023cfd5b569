/**
 * What the record form accepts, as rules a person can read (stour App. B record sheet; template "recording").
 * Each refusal names the field in words ("Action 2: …"), so the supervisor knows what to change; the form
 * is all or nothing — the caller saves nothing while any rule is broken.
 */
import { isCalendarDate } from './calendar.js';
import type { LocalDate } from './types.js';

/** The limits the form states next to each field, and the errors repeat. */
export const RECORD_LIMITS = {
  notes: 5000,
  concern: 2000,
  concerns: 20,
  childRef: 20,
  decision: 1000,
  rationale: 1000,
  caseDecisions: 20,
  action: 1000,
  actions: 30,
  previousNote: 500,
} as const;

/** "5,000": limits are written the way a person reads them. */
export const count = (n: number): string => n.toLocaleString('en-GB');

/**
 * A case decision names the child by initials or a school/CPOMS reference only, never by name
 * (template "recording": the decision goes on the child's file, which the school system holds;
 * stour App. C: personal information is limited to what the work needs).
 *
 * Accepted: initials in capitals ("JS", "J.S.", "J S B"), or a reference with a number in it whose words are
 * short capitals or a reference word ("CPOMS-4471", "Ref 1234", "Y5/JS", "#4471"). Refused: anything that
 * reads as a name ("Jane Smith", "Jane", "jane smith 5").
 */
export function childRefProblem(raw: string): string | undefined {
  const ref = raw.trim();
  if (ref === '') return 'give the child’s initials or a school or CPOMS reference';
  if (ref.length > RECORD_LIMITS.childRef) return `the child’s reference can be at most ${RECORD_LIMITS.childRef} characters`;
  if (!/^[A-Za-z0-9 ./#-]+$/.test(ref)) return 'use letters, numbers and . / # - only — initials or a reference, never a name';
  const initials = /^(?:[A-Z][. ]?\s*){1,4}$/.test(ref);
  const words = ref.match(/[A-Za-z]+/g) ?? [];
  const REFERENCE_WORDS = new Set(['ref', 'cpoms', 'myconcern', 'case', 'year', 'yr', 'no', 'id']);
  const reference = /\d/.test(ref) && words.every((w) => (w === w.toUpperCase() && w.length <= 5) || REFERENCE_WORDS.has(w.toLowerCase()));
  if (initials || reference) return undefined;
  return 'this looks like a name — give the child’s initials (e.g. JS) or a school or CPOMS reference (e.g. CPOMS-4471), never a name';
}

/** One year on from a day, the same date (29 February → 28 February). */
export function oneYearOn(day: LocalDate): LocalDate {
  const next = `${Number(day.slice(0, 4)) + 1}${day.slice(4)}`;
  return isCalendarDate(next) ? next : `${next.slice(0, 8)}28`;
}

/**
 * Dates on the record look forward from the session and not beyond a year: an action agreed at the session
 * is due between the session day and the contract's annual review (white-laith B, stour App. C), and so is
 * the next session.
 */
export function withinRecordWindow(day: LocalDate, sessionDay: LocalDate): boolean {
  return isCalendarDate(day) && day >= sessionDay && day <= oneYearOn(sessionDay);
}

export interface RecordFormDates {
  sessionDay: LocalDate;
  actions: Array<{ dueDate: LocalDate }>;
  /** The next session's local day, when one was given. */
  nextSessionDay?: LocalDate;
}

export interface FormProblem {
  /** The input's path (`actions.1.dueDate`), for the form to put the message on. */
  field: string;
  /** The message in words, naming the field as the form labels it. */
  message: string;
}

/**
 * The record's dates: each action due in the window; the next session in it and on a school day, since
 * supervision happens during the working day (stour §5) and reminders must not land in the holidays.
 */
export function recordDateProblems(form: RecordFormDates, isSchoolDay: (day: LocalDate) => boolean): FormProblem[] {
  const problems: FormProblem[] = [];
  for (const [i, a] of form.actions.entries()) {
    if (!withinRecordWindow(a.dueDate, form.sessionDay)) {
      problems.push({ field: `actions.${i}.dueDate`, message: `Action ${i + 1}: the due date must be between the session and a year after it` });
    }
  }
  if (form.nextSessionDay !== undefined) {
    if (!withinRecordWindow(form.nextSessionDay, form.sessionDay)) {
      problems.push({ field: 'nextSessionAt', message: 'Next session: the date must be between this session and a year after it' });
    } else if (!isSchoolDay(form.nextSessionDay)) {
      problems.push({ field: 'nextSessionAt', message: 'Next session: pick a school day — that date is a weekend, a holiday or a bank holiday' });
    }
  }
  return problems;
}

/** How the form labels each input, for messages in words ("Case decision 1: child"). */
export function recordFieldLabel(path: ReadonlyArray<string | number>): string {
  const [head, index, leaf] = path;
  const n = typeof index === 'number' ? index + 1 : undefined;
  switch (head) {
    case 'topics':
      return 'Topics discussed';
    case 'notes':
      return 'Discussion';
    case 'concerns':
      return n === undefined ? 'Concerns' : `Concern ${n}`;
    case 'caseDecisions': {
      if (n === undefined) return 'Case decisions';
      const part: Record<string, string> = { childRef: 'the child', decision: 'the decision', rationale: 'the rationale', followUpById: 'who follows up' };
      return typeof leaf === 'string' && part[leaf] ? `Case decision ${n}, ${part[leaf]}` : `Case decision ${n}`;
    }
    case 'actions': {
      if (n === undefined) return 'Actions agreed';
      const part: Record<string, string> = { text: 'what', ownerId: 'by whom', dueDate: 'the due date' };
      return typeof leaf === 'string' && part[leaf] ? `Action ${n}, ${part[leaf]}` : `Action ${n}`;
    }
    case 'previousActionsReviewed':
      return n === undefined ? 'Last session’s actions' : `Last session’s action ${n}`;
    case 'nextSessionAt':
      return 'Next session';
    case 'sessionId':
      return 'Session';
    default:
      return String(head ?? 'The form');
  }
}
