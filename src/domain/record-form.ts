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
  /** Rows of the form: each is added with "Add another" (Teams card refresh, Slack views.update). */
  caseDecisions: 10,
  action: 1000,
  actions: 10,
  previousNote: 500,
  /** Last session's open actions a record reviews. */
  previousActions: 30,
  /** A group's members whose attendance one record takes. */
  members: 30,
  /** The note to the line manager with a referral. */
  referralNote: 500,
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
  actions: ReadonlyArray<{ dueDate: LocalDate }>;
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
      return n === undefined ? 'Last session’s actions' : `Last session’s action ${n}${leaf === 'note' ? ', the note' : ''}`;
    case 'referral':
      return leaf === 'note' || index === 'note' ? 'Refer to line manager, the note' : 'Refer to line manager';
    case 'attendance':
      return n === undefined ? 'Attendance' : `Attendance ${n}`;
    case 'nextSessionAt':
      return 'Next session';
    case 'sessionId':
      return 'Session';
    default:
      return String(head ?? 'The form');
  }
}

/** What the rules of the whole form need to know besides the form: all of it data, so a form can carry it. */
export interface RecordFormRules {
  sessionDay: LocalDate;
  /** The people in the session: an action is owned by one of them. */
  parties: readonly string[];
  /** Who may follow a case decision up: the parties and the DSL. */
  followUpIds: readonly string[];
  isSchoolDay: (day: LocalDate) => boolean;
  /** Last session's actions the form may review, each with how the form names it ("Action from 4 Nov ‘Call home’"). */
  previous: ReadonlyArray<{ id: string; label: string }>;
}

export interface RecordFormEntries {
  caseDecisions: ReadonlyArray<{ childRef: string; followUpById: string }>;
  actions: ReadonlyArray<{ ownerId: string; dueDate: LocalDate }>;
  previousActionsReviewed: ReadonlyArray<{ actionId: string; outcome: 'done' | 'carried-forward' | 'dropped'; note?: string }>;
  nextSessionDay?: LocalDate;
}

/**
 * Every rule of the record form that looks beyond one field, in one pure function: the use case runs it before
 * writing anything, and the Slack modal runs it when the form is submitted (with the rules the modal carries),
 * so a refusal lands on the field while the person's typing is still in front of them.
 *
 * - a child named by initials or a reference, never a name (template "recording"; stour App. C);
 * - an action owned by someone in the session; a decision followed up by one of them or the DSL (stour §8);
 * - dates within the session and a year on, the next session on a school day (white-laith B, stour §5);
 * - last session's actions reviewed (white-laith contract; stour §6 "review previous actions"): each one the
 *   form offered, once, and a dropped action says why (white-laith: actions are reviewed, not silently dropped).
 */
export function recordFormProblems(form: RecordFormEntries, rules: RecordFormRules): FormProblem[] {
  const problems: FormProblem[] = [];
  if (form.caseDecisions.length > RECORD_LIMITS.caseDecisions) {
    problems.push({ field: 'caseDecisions', message: `Case decisions: at most ${RECORD_LIMITS.caseDecisions} on one record — write the rest on the child’s file and note them in the discussion` });
  }
  if (form.actions.length > RECORD_LIMITS.actions) {
    problems.push({ field: 'actions', message: `Actions agreed: at most ${RECORD_LIMITS.actions} on one record` });
  }
  for (const [i, d] of form.caseDecisions.entries()) {
    const problem = childRefProblem(d.childRef);
    if (problem) problems.push({ field: `caseDecisions.${i}.childRef`, message: `Case decision ${i + 1}: ${problem}` });
  }
  for (const [i, d] of form.caseDecisions.entries()) {
    if (!rules.followUpIds.includes(d.followUpById)) problems.push({ field: `caseDecisions.${i}.followUpById`, message: `Case decision ${i + 1}: the person who follows up must be one of you or the DSL` });
  }
  for (const [i, a] of form.actions.entries()) {
    if (!rules.parties.includes(a.ownerId)) problems.push({ field: `actions.${i}.ownerId`, message: `Action ${i + 1}: the owner must be one of the people in the session` });
  }
  problems.push(...recordDateProblems({ sessionDay: rules.sessionDay, actions: form.actions, nextSessionDay: form.nextSessionDay }, rules.isSchoolDay));
  const seen = new Set<string>();
  for (const [i, r] of form.previousActionsReviewed.entries()) {
    const offered = rules.previous.find((p) => p.id === r.actionId);
    if (!offered) {
      problems.push({ field: `previousActionsReviewed.${i}.actionId`, message: `Last session’s action ${i + 1}: that action is not one of this contract’s open actions — open the form again` });
      continue;
    }
    if (seen.has(r.actionId)) problems.push({ field: `previousActionsReviewed.${i}.actionId`, message: `${offered.label}: reviewed twice — pick one outcome` });
    seen.add(r.actionId);
    if (r.outcome === 'dropped' && !(r.note ?? '').trim()) problems.push({ field: `previousActionsReviewed.${i}.note`, message: `${offered.label}: a note is needed to drop it` });
  }
  return problems;
}

/**
 * Whether the record form offers "Refer to line manager" (template "supervision agreement"): a one-to-one whose
 * supervisee has a line manager who is not the supervisor — the DSL, or a supervisor from elsewhere in the line.
 */
export function referralOffered(contract: { kind: 'one-to-one' | 'group' }, supervisorId: string, lineManagerId: string | undefined): lineManagerId is string {
  return contract.kind === 'one-to-one' && lineManagerId !== undefined && lineManagerId !== '' && lineManagerId !== supervisorId;
}

/**
 * A group session's attendance (issue 14 "Groups"): one state for each member, nobody outside the group, nobody
 * twice. `names` says how the form names each member.
 */
export function attendanceProblems(
  attendance: ReadonlyArray<{ personId: string }>,
  members: readonly string[],
  names: (id: string) => string = () => 'a member',
): FormProblem[] {
  const problems: FormProblem[] = [];
  const seen = new Set<string>();
  for (const [i, a] of attendance.entries()) {
    if (!members.includes(a.personId)) {
      problems.push({ field: `attendance.${i}.personId`, message: `Attendance ${i + 1}: that person is not a member of this group — open the form again` });
      continue;
    }
    if (seen.has(a.personId)) problems.push({ field: `attendance.${i}.personId`, message: `Attendance of ${names(a.personId)}: given twice — pick one` });
    seen.add(a.personId);
  }
  return problems;
}

/** "Action from 4 Nov ‘Call the parent about…’": how the form names one of last session's actions. */
export function previousActionLabel(shortDate: string | undefined, text: string): string {
  const words = text.trim().replace(/\s+/g, ' ');
  // a label, not the record: a long action is named by its first words
  const cut = words.slice(0, 40);
  const quoted = words.length > 40 ? `${(cut.lastIndexOf(' ') > 20 ? cut.slice(0, cut.lastIndexOf(' ')) : cut.slice(0, 39)).trimEnd()}…` : words;
  return `Action${shortDate ? ` from ${shortDate}` : ''} ‘${quoted}’`;
}
