/**
 * What the record form shows and checks besides the record itself: the session's agenda (parked items first,
 * white-laith, stour §2) and last session's open actions to review (white-laith contract; stour §6), and the
 * rules of the whole form as data (`RecordFormRules`), so the Slack modal can carry them and check a
 * submission before it is acknowledged.
 */
import { DateTime } from 'luxon';
import type { SchoolCalendar } from '../domain/calendar.js';
import { oneYearOn, previousActionLabel, RECORD_LIMITS, type RecordFormRules, referralOffered } from '../domain/record-form.js';
import type { AgreedAction, Attendance, LocalDate, ReferralKind, Organisation, Person, PreviousActionReview, RecordSheet, SupervisionContract } from '../domain/types.js';
import type { AppDeps } from './ports.js';
import { formatDate, splitAgenda } from './present.js';
import type { RecordFormView, RecordSheetView } from './views.js';

/** "4 Nov": the short date the form names an earlier action by. */
export function shortDate(org: Pick<Organisation, 'timezone'>, day: LocalDate | undefined): string | undefined {
  if (!day) return undefined;
  const dt = DateTime.fromISO(day, { zone: org.timezone });
  return dt.isValid ? dt.setLocale('en-GB').toFormat('d LLL') : undefined;
}

/**
 * The actions the form reviews: the contract's open actions agreed at earlier sessions, oldest first, and any
 * this record already reviewed (a done or dropped one is closed by then, but stays on the form being edited).
 */
export async function reviewableActions(deps: AppDeps, contractId: string, recordId: string, reviewed: readonly PreviousActionReview[]): Promise<AgreedAction[]> {
  const open = (await deps.actions.openForContract(contractId)).filter((a) => a.recordId !== recordId);
  const missing = reviewed.map((r) => r.actionId).filter((id) => !open.some((a) => a.id === id));
  const closed = (await Promise.all(missing.map((id) => deps.actions.get(id)))).filter((a): a is AgreedAction => a !== null && a.contractId === contractId);
  return [...open, ...closed].sort((a, b) => (a.sessionDate ?? '').localeCompare(b.sessionDate ?? '') || a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
}

export function formRules(org: Organisation, cal: SchoolCalendar, contract: SupervisionContract, sessionDay: LocalDate, previous: readonly AgreedAction[]): RecordFormRules {
  const parties = [...contract.supervisorIds, ...contract.superviseeIds];
  return {
    sessionDay,
    parties,
    followUpIds: [...new Set([...parties, ...org.dslIds])],
    isSchoolDay: (day) => cal.isSchoolDay(day),
    previous: previous.map((a) => ({ id: a.id, label: previousActionLabel(shortDate(org, a.sessionDate), a.text) })),
  };
}

/**
 * The weekdays that are not school days between the session and a year on, as ranges (`from/to`, or one day),
 * weekends between them joined: a term's holidays, bank holidays and INSET days in a few hundred characters,
 * so a Slack modal can carry the calendar its date rules need.
 */
export function closedWeekdays(cal: SchoolCalendar, sessionDay: LocalDate): string[] {
  const end = oneYearOn(sessionDay);
  const ranges: Array<[string, string]> = [];
  let open: [string, string] | null = null;
  let gapOnlyWeekend = true;
  for (let d = DateTime.fromISO(sessionDay); d.toISODate()! <= end; d = d.plus({ days: 1 })) {
    const day = d.toISODate()!;
    const weekend = d.weekday >= 6;
    if (weekend) continue;
    if (!cal.isSchoolDay(day)) {
      if (open && gapOnlyWeekend) open[1] = day;
      else {
        open = [day, day];
        ranges.push(open);
      }
      gapOnlyWeekend = true;
    } else {
      open = null;
    }
  }
  return ranges.map(([a, b]) => (a === b ? a : `${a}/${b}`));
}

/** The school-day test `closedWeekdays` describes. */
export function schoolDayFrom(closed: readonly string[]): (day: LocalDate) => boolean {
  return (day) => {
    const d = DateTime.fromISO(day);
    if (!d.isValid || d.weekday >= 6) return false;
    return !closed.some((r) => {
      const [a, b = a] = r.split('/');
      return day >= (a as string) && day <= (b as string);
    });
  };
}

/** The form's own parts: agenda, last session's actions with an outcome each, and the rows typed so far. */
export function recordFormView(input: {
  org: Organisation;
  people: Person[];
  agenda: Parameters<typeof splitAgenda>[1];
  previous: readonly AgreedAction[];
  reviewed: readonly PreviousActionReview[];
  actions: ReadonlyArray<{ text: string; ownerId: string; dueDate: string }>;
  caseDecisions: ReadonlyArray<{ childRef: string; decision: string; rationale: string; followUpById: string }>;
  /** A group's members (none for one-to-one supervision) and the attendance recorded so far. */
  members?: readonly string[];
  attendance?: readonly Attendance[];
  /** The line manager a referral would go to, when the form offers one, and the referral so far. */
  referTo?: { id: string; name: string };
  referral?: { kind: ReferralKind; note: string };
}): RecordFormView {
  const { org, people } = input;
  const name = (id: string) => people.find((p) => p.id === id)?.name ?? 'a colleague';
  const { items, parkedItems } = splitAgenda(org, input.agenda, people);
  const actions = input.actions.length > 0 ? input.actions : [{ text: '', ownerId: '', dueDate: '' }];
  const decisions = input.caseDecisions.length > 0 ? input.caseDecisions : [{ childRef: '', decision: '', rationale: '', followUpById: '' }];
  return {
    // parked items first: the supervisor revisits what was raised informally (white-laith, stour §2)
    agenda: [...parkedItems, ...items],
    previous: input.previous.map((a, i) => {
      const review = input.reviewed.find((r) => r.actionId === a.id);
      return {
        n: i,
        id: a.id,
        label: previousActionLabel(shortDate(org, a.sessionDate), a.text),
        text: a.text,
        ownerName: name(a.ownerId),
        dueText: formatDate(org, a.dueDate),
        // carried forward unless the supervisor picks otherwise: the action simply stays open
        outcome: review?.outcome ?? 'carried-forward',
        note: review?.note ?? '',
      };
    }),
    previousIds: input.previous.map((a) => a.id).join(','),
    actionRows: actions.slice(0, RECORD_LIMITS.actions).map((a, i) => ({ n: i, key: String(i), ...a })),
    decisionRows: decisions.slice(0, RECORD_LIMITS.caseDecisions).map((d, i) => ({ n: i, key: decisionKey(i), ...d })),
    ...attendanceRows(input.members ?? [], input.attendance ?? [], name),
    referral: { offered: input.referTo !== undefined, toName: input.referTo?.name ?? '', kind: input.referral?.kind ?? '', note: input.referral?.note ?? '' },
    canAddAction: actions.length < RECORD_LIMITS.actions,
    canAddDecision: decisions.length < RECORD_LIMITS.caseDecisions,
    limitsText: `Up to ${RECORD_LIMITS.actions} actions and ${RECORD_LIMITS.caseDecisions} case decisions — “Add another” adds a row.`,
  };
}

/** The form's attendance rows: each member, present until another state is picked (issue 14 "Groups"). */
export function attendanceRows(members: readonly string[], attendance: readonly Attendance[], name: (id: string) => string): Pick<RecordFormView, 'attendance' | 'attendanceIds'> {
  const shown = members.slice(0, RECORD_LIMITS.members);
  return {
    attendance: shown.map((personId, n) => ({ n, personId, name: name(personId), state: attendance.find((a) => a.personId === personId)?.state ?? 'present' })),
    attendanceIds: shown.join(','),
  };
}

/** A case decision row's input names: the first has none (the form's names before rows were added), then 1, 2… */
export const decisionKey = (i: number): string => (i === 0 ? '' : String(i));

/** The form of a record (a draft, or one sent back to edit) as it stands in the store. */
export async function storedForm(deps: AppDeps, org: Organisation, record: RecordSheet): Promise<RecordFormView> {
  const [agenda, parked, previous] = await Promise.all([
    deps.agenda.forSession(record.sessionId),
    deps.agenda.parked(record.contractId),
    reviewableActions(deps, record.contractId, record.id, record.previousActionsReviewed),
  ]);
  const contract = await deps.contracts.get(record.contractId);
  const members = contract?.kind === 'group' ? record.superviseeIds : [];
  const referTo = contract ? await lineManagerToReferTo(deps, contract, record.supervisorId) : undefined;
  const people = await deps.people.getMany([...new Set([...agenda, ...parked].map((i) => i.authorId).concat(previous.map((a) => a.ownerId), members))]);
  return recordFormView({ org, people, agenda: [...parked, ...agenda], previous, reviewed: record.previousActionsReviewed, actions: record.actions, caseDecisions: record.caseDecisions, members, attendance: record.attendance, referTo, referral: record.referral });
}

/** The supervisee's line manager, when the record form offers "Refer to line manager" (`referralOffered`). */
export async function lineManagerToReferTo(deps: AppDeps, contract: SupervisionContract, supervisorId: string): Promise<Person | undefined> {
  if (contract.kind !== 'one-to-one') return undefined;
  const supervisee = await deps.people.get(contract.superviseeIds[0] ?? '');
  if (!referralOffered(contract, supervisorId, supervisee?.lineManagerId)) return undefined;
  const manager = await deps.people.get(supervisee?.lineManagerId ?? '');
  return manager && manager.active !== false ? manager : undefined;
}

/** A record sheet's form: the one it carries, or one made of its own rows (a sheet shown without the store's extras). */
export function formOf(view: RecordSheetView): RecordFormView {
  if (view.form) return view.form;
  const actions = view.actions.length > 0 ? view.actions : [{ text: '', ownerId: '', dueDate: '' }];
  const decisions = view.caseDecisions.length > 0 ? view.caseDecisions : [{ childRef: '', decision: '', rationale: '', followUpById: '' }];
  return {
    agenda: [],
    previous: [],
    previousIds: '',
    actionRows: actions.slice(0, RECORD_LIMITS.actions).map((a, i) => ({ n: i, key: String(i), text: a.text, ownerId: a.ownerId, dueDate: a.dueDate })),
    decisionRows: decisions.slice(0, RECORD_LIMITS.caseDecisions).map((d, i) => ({ n: i, key: decisionKey(i), childRef: d.childRef, decision: d.decision, rationale: d.rationale, followUpById: d.followUpById })),
    ...attendanceRows(
      (view.attendance ?? []).map((a) => a.personId),
      (view.attendance ?? []).map((a) => ({ personId: a.personId, state: a.state })),
      (id) => view.attendance?.find((a) => a.personId === id)?.name ?? 'a member',
    ),
    referral: { offered: false, toName: '', kind: '', note: '' },
    canAddAction: actions.length < RECORD_LIMITS.actions,
    canAddDecision: decisions.length < RECORD_LIMITS.caseDecisions,
    limitsText: `Up to ${RECORD_LIMITS.actions} actions and ${RECORD_LIMITS.caseDecisions} case decisions — “Add another” adds a row.`,
  };
}
